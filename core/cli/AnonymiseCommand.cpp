#include "cli/AnonymiseCommand.h"

#include "Error.h"
#include "cli/Commands.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>

namespace fs = std::filesystem;

namespace spinelens::cli {

int runAnonymise(const AnonymiseCommandOptions& o, std::ostream& out, std::ostream& err) {
    std::error_code ec;
    std::vector<std::pair<fs::path, fs::path>> jobs; // input, output
    if (fs::is_directory(o.input, ec)) {
        for (fs::recursive_directory_iterator
                 it(o.input, fs::directory_options::skip_permission_denied, ec),
             end;
             !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (!name.empty() && name[0] == '.') {
                if (it->is_directory())
                    it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file() && name != "DICOMDIR")
                jobs.push_back(
                    {it->path(), fs::path(o.output) / fs::relative(it->path(), o.input)});
        }
    } else if (fs::is_regular_file(o.input, ec)) {
        jobs.push_back({o.input, o.output});
    } else {
        throw Error("no such file or folder", o.input);
    }
    out::Anonymiser anonymiser(o.profile);
    nlohmann::json files = nlohmann::json::array(), failed = nlohmann::json::array();
    for (const auto& [in, target] : jobs) {
        try {
            if (fs::weakly_canonical(in, ec) == fs::weakly_canonical(target, ec))
                throw Error("the output would overwrite the input", target.string());
            fs::create_directories(target.parent_path(), ec);
            const out::AnonymisedFile f = anonymiser.anonymiseFile(in.string(), target.string());
            files.push_back({{"input", f.input},
                             {"output", f.output},
                             {"removed", f.removed},
                             {"emptied", f.emptied},
                             {"replaced", f.replaced},
                             {"uidsReplaced", f.uidsReplaced},
                             {"privateRemoved", f.privateRemoved}});
        } catch (const Error& e) {
            failed.push_back({{"path", in.string()}, {"reason", e.reason()}});
            err << "spinelens-cli: " << e.what() << '\n';
        }
    }
    const char* pixels = "pixel data left as it is: text burned into the pixels is NOT removed; "
                         "check the images before sharing them";
    out << jsonText({{"written", files.size()},
                     {"failed", failed},
                     {"uidsReplaced", anonymiser.uidMap().size()},
                     {"dateShiftDays", o.profile.dateShiftDays},
                     {"method", anonymiser.methodText()},
                     {"pixelData", pixels},
                     {"files", files}},
                    1)
        << '\n';
    err << "spinelens-cli: " << pixels << '\n';
    return failed.empty() && !files.empty() ? Ok : InputsFailed;
}

} // namespace spinelens::cli
