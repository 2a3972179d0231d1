#include "cli/EvalCommands.h"

#include "Error.h"
#include "cli/Commands.h"
#include "eval/Evaluator.h"
#include "eval/RunExport.h"
#include "eval/RunFile.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <unistd.h>

namespace spinelens::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void onInterrupt(int) {
    interrupted.store(true);
}

} // namespace

int runEvaluate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    eval::EvaluateOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--model" && hasValue)
            o.model = args[++i];
        else if (a == "--data" && hasValue)
            o.dataset = args[++i];
        else if (a == "--out" && hasValue)
            o.output = args[++i];
        else if (a == "--split" && hasValue)
            o.split = args[++i];
        else if (a == "--seed" && hasValue) {
            try {
                o.seed = std::stoull(args[++i]);
            } catch (...) {
                err << "spinelens-cli: not a valid seed: " << args[i] << '\n';
                return Failed;
            }
        } else if (a == "--no-heatmaps")
            o.heatmaps = false;
        else {
            err << "spinelens-cli: unknown option " << a << '\n';
            return Failed;
        }
    }
    if (o.model.empty() || o.dataset.empty() || o.output.empty()) {
        err << "spinelens-cli: evaluate needs --model, --data and --out\n";
        return Failed;
    }
    interrupted.store(false);
    o.cancel = &interrupted;
    auto previous = std::signal(SIGINT, onInterrupt);
    // On a terminal one line redrawn in place; in a log (CI, a pipe) a line per 10 %.
    const bool terminal = &err == &std::cerr && ::isatty(STDERR_FILENO);
    o.progress = [&err, terminal, lastDecile = -1](const eval::EvaluateProgress& p) mutable {
        char line[120];
        if (terminal) {
            std::snprintf(line, sizeof line, "\r%d/%d cases  ETA %.0f s   ", p.done, p.total,
                          p.secondsLeft);
            err << line << std::flush;
            return;
        }
        const int decile = p.total > 0 ? p.done * 10 / p.total : 10;
        if (decile == lastDecile)
            return;
        lastDecile = decile;
        std::snprintf(line, sizeof line, "%d/%d cases  ETA %.0f s\n", p.done, p.total,
                      p.secondsLeft);
        err << line << std::flush;
    };
    try {
        const eval::EvaluateResult r = eval::evaluate(o);
        std::signal(SIGINT, previous);
        if (terminal)
            err << '\n';
        for (const auto& p : r.datasetProblems)
            err << "spinelens-cli: " << p.path << ": " << p.reason << '\n';
        for (const auto& f : r.failures)
            err << "spinelens-cli: " << f.path << ": " << f.reason << '\n';
        if (!r.splitNote.empty())
            err << "spinelens-cli: note: " << r.splitNote << '\n';
        if (!r.heatmapError.empty())
            err << "spinelens-cli: " << o.model << ": " << r.heatmapError << '\n';
        out << "evaluated " << r.evaluated << " case(s)";
        if (r.alreadyDone)
            out << " (" << r.alreadyDone << " already in the run file)";
        out << " of " << r.total << " in " << r.seconds << " s\n";
        if (r.cancelled) {
            out << "interrupted: run the same command again to resume\n";
            return PartialFailure;
        }
        out << "wrote " << o.output << " (spinelens-cli metrics " << o.output
            << " prints the metrics)\n";
        return r.failures.empty() ? Ok : PartialFailure;
    } catch (const Error& e) {
        std::signal(SIGINT, previous);
        err << "\nspinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

int runMetrics(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string path;
    bool curves = true;
    for (const std::string& a : args) {
        if (a == "--no-curves")
            curves = false;
        else if (a.rfind("--", 0) == 0 || !path.empty()) {
            err << "spinelens-cli: metrics takes one RUN.sqlite and --no-curves\n";
            return Failed;
        } else
            path = a;
    }
    if (path.empty()) {
        err << "spinelens-cli: metrics needs a RUN.sqlite\n";
        return Failed;
    }
    try {
        nlohmann::json metrics = nlohmann::json::parse(eval::refreshMetrics(path));
        if (!curves)
            for (auto& c : metrics["classes"]) {
                c.erase("roc");
                c.erase("pr");
            }
        const eval::RunInfo info = eval::RunFile::open(path, false)->info();
        nlohmann::json j;
        j["run"] = {{"model", info.modelName},
                    {"modelVersion", info.modelVersion},
                    {"modelHash", info.modelHash},
                    {"dataset", info.datasetRoot},
                    {"datasetHash", info.datasetHash},
                    {"split", info.split},
                    {"seed", info.seed},
                    {"created", info.created},
                    {"programVersion", info.programVersion},
                    {"complete", info.complete},
                    {"syntheticModel", info.syntheticModel},
                    {"syntheticData", info.syntheticData}};
        j["metrics"] = metrics;
        out << jsonText(j, 2) << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

int runExport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string path, csv, htmlPath;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--csv" && i + 1 < args.size())
            csv = args[++i];
        else if (args[i] == "--html" && i + 1 < args.size())
            htmlPath = args[++i];
        else if (args[i].rfind("--", 0) == 0 || !path.empty()) {
            err << "spinelens-cli: export takes RUN.sqlite, --csv OUT.csv and --html OUT.html\n";
            return Failed;
        } else
            path = args[i];
    }
    if (path.empty() || (csv.empty() && htmlPath.empty())) {
        err << "spinelens-cli: export needs RUN.sqlite and --csv and/or --html\n";
        return Failed;
    }
    try {
        auto run = eval::RunFile::open(path, false);
        if (!csv.empty()) {
            eval::exportCasesCsv(*run, csv);
            out << "wrote " << csv << '\n';
        }
        if (!htmlPath.empty()) {
            eval::exportHtmlReport(*run, htmlPath);
            out << "wrote " << htmlPath << '\n';
        }
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

} // namespace spinelens::cli
