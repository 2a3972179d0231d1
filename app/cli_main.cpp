// spinelens-cli: argument parsing, then hand-off to core/cli.
#include "cli/Commands.h"

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char* kUsage = R"(usage: spinelens-cli COMMAND [options]

commands:
  info PATH...                      series found in files, folders and DICOMDIRs, as JSON
  convert INPUT OUTPUT [--series N] [--slice K]
                                    write a series or X-ray as .nii.gz, .nii, .nrrd, .mha
                                    (modality values) or one slice as .png (file's window)
  sample OUTDIR [--seed S]          write the synthetic sample study (MR, CT, X-ray phantoms)
  --version                         print the version
)";

int usage(const std::string& problem) {
    if (!problem.empty())
        std::cerr << "spinelens-cli: " << problem << "\n";
    std::cerr << kUsage;
    return spinelens::cli::Failed;
}

bool parseInt(const std::string& text, int& out) {
    try {
        std::size_t used = 0;
        out = std::stoi(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

} // namespace

int main(int argc, char** argv) {
    using namespace spinelens::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help")
        return usage(args.empty() ? "no command given" : "");
    if (args[0] == "--version") {
        std::cout << "spinelens-cli " << SPINELENS_VERSION << "\n";
        return Ok;
    }
    const std::string command = args[0];
    args.erase(args.begin());

    if (command == "info") {
        if (args.empty())
            return usage("info needs at least one PATH");
        return runInfo(args, std::cout, std::cerr);
    }
    if (command == "convert") {
        ConvertOptions o;
        std::vector<std::string> positional;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if ((args[i] == "--series" || args[i] == "--slice") && i + 1 < args.size()) {
                int& target = args[i] == "--series" ? o.seriesIndex : o.slice;
                if (!parseInt(args[++i], target))
                    return usage("not a number: " + args[i]);
            } else if (args[i].rfind("--", 0) == 0) {
                return usage("unknown option " + args[i]);
            } else {
                positional.push_back(args[i]);
            }
        }
        if (positional.size() != 2)
            return usage("convert needs INPUT and OUTPUT");
        o.input = positional[0];
        o.output = positional[1];
        return runConvert(o, std::cout, std::cerr);
    }
    if (command == "sample") {
        SampleOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            int seed = 0;
            if (args[i] == "--seed" && i + 1 < args.size()) {
                if (!parseInt(args[++i], seed) || seed < 0)
                    return usage("not a seed: " + args[i]);
                o.seed = std::uint64_t(seed);
            } else if (args[i].rfind("--", 0) == 0) {
                return usage("unknown option " + args[i]);
            } else {
                o.outputFolder = args[i];
            }
        }
        if (o.outputFolder.empty())
            return usage("sample needs OUTDIR");
        return runSample(o, std::cout, std::cerr);
    }
    return usage("unknown command '" + command + "'");
}
