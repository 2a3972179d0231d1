#pragma once
// spinelens-cli evaluate and metrics: evaluation runs (eval/Evaluator.h) from the shell.
#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

/// evaluate --model DIR --data DATASET [--split test|all] [--seed S] [--no-heatmaps]
/// --out RUN.sqlite. Ctrl+C stops after the current case; the same command resumes.
int runEvaluate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// metrics RUN.sqlite [--no-curves]: the run's metrics as JSON (recomputed from its cases).
int runMetrics(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// export RUN.sqlite [--csv OUT.csv] [--html OUT.html]: cases with tags and notes as CSV, and
/// the self-contained HTML report.
int runExport(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
