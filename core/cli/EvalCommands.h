#pragma once
// spinelens-cli evaluate and metrics: evaluation runs (eval/Evaluator.h) from the shell.
#include "eval/Evaluator.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

/// An evaluation run; Ctrl+C stops after the current case, the same command resumes.
int runEvaluate(eval::EvaluateOptions options, std::ostream& out, std::ostream& err);

/// metrics RUN.sqlite [--no-curves]: the run's metrics as JSON (recomputed from its cases).
struct MetricsOptions {
    std::string runFile;
    bool curves = true; ///< ROC and PR curves in the JSON
};
int runMetrics(const MetricsOptions& options, std::ostream& out, std::ostream& err);

/// export RUN.sqlite [--csv OUT.csv] [--html OUT.html]: cases with tags and notes as CSV, and
/// the self-contained HTML report.
struct ExportOptions {
    std::string runFile;
    std::string csv;  ///< empty: no CSV
    std::string html; ///< empty: no HTML report
};
int runExport(const ExportOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
