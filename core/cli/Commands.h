#pragma once
#include <nlohmann/json.hpp>
// The headless commands behind spinelens-cli. Each returns the process exit code and writes
// its result to out and every problem, one line each naming the file, to err.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

/// Exit codes of spinelens-cli (README.md lists them): done; the command could not finish, was
/// interrupted, or some inputs could not be used (each named on stderr, the rest processed);
/// the command line itself was wrong; an internal error (a bug: please report it).
enum ExitCode { Ok = 0, InputsFailed = 1, Usage = 2, Internal = 3 };

/// JSON text for output: a string that is not valid UTF-8 (a file name in another encoding)
/// has its bad bytes replaced by U+FFFD instead of aborting the dump.
inline std::string jsonText(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct ConvertOptions {
    std::string input;
    std::string output;
    int seriesIndex = 0; ///< which series of the input, in the order `info` lists them
    int slice = -1;      ///< for .png: display-order slice; -1 = middle
};

struct SampleOptions {
    std::string outputFolder;
    std::uint64_t seed = 1;
};

struct PhantomOptions {
    std::string kind; ///< "xray" or "mri"
    int count = 0;
    std::uint64_t seed = 1;
    std::string outputFolder;
};

/// Labelled synthetic data sets: X-rays in class folders, MRI in the RSNA 2024 layout.
int runPhantom(const PhantomOptions& options, std::ostream& out, std::ostream& err);

int runInfo(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);
int runConvert(const ConvertOptions& options, std::ostream& out, std::ostream& err);
/// Writes the sample study: a sagittal MR series, an axial CT series and a lateral X-ray PNG.
int runSample(const SampleOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
