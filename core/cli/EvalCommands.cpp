#include "cli/EvalCommands.h"

#include "Error.h"
#include "cli/Commands.h"
#include "cli/Interrupt.h"
#include "eval/Evaluator.h"
#include "eval/RunExport.h"
#include "eval/RunFile.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <optional>
#include <ostream>
#include <unistd.h>

namespace spinelens::cli {

int runEvaluate(eval::EvaluateOptions o, std::ostream& out, std::ostream& err) {
    std::optional<InterruptGuard> interrupt(std::in_place);
    o.cancel = interrupt->flag();
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
        interrupt.reset();
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
            return InputsFailed;
        }
        out << "wrote " << o.output << " (spinelens-cli metrics " << o.output
            << " prints the metrics)\n";
        return r.failures.empty() && r.datasetProblems.empty() ? Ok : InputsFailed;
    } catch (const Error& e) {
        interrupt.reset();
        err << "\nspinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

int runMetrics(const MetricsOptions& options, std::ostream& out, std::ostream& err) {
    const std::string& path = options.runFile;
    const bool curves = options.curves;
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
        return InputsFailed;
    }
}

int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err) {
    const std::string &path = options.runFile, &csv = options.csv, &htmlPath = options.html;
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
        return InputsFailed;
    }
}

} // namespace spinelens::cli
