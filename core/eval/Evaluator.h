#pragma once
// Runs a model package over a labelled data set and writes an evaluation run file: one row per
// case, Grad-CAM for the predicted and the true class, and the metrics. Resumable: cases
// already in the file are skipped, so an interrupted run continues where it stopped.
#include "dicom/SeriesInfo.h"
#include "eval/Metrics.h"
#include "eval/RunFile.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace spinelens::eval {

struct EvaluateProgress {
    int done = 0, total = 0; ///< cases of this invocation
    double secondsLeft = 0;
};

struct EvaluateOptions {
    std::string model;          ///< package folder
    std::string dataset;        ///< class folders, RSNA 2024 folder or manifest CSV
    std::string output;         ///< run file (.sqlite); resumed when it holds the same run
    std::string split = "test"; ///< "test" (the trainer's test split for this seed) or "all"
    /// Split seed; by default the one the package records (provenance.splitSeed).
    std::optional<std::uint64_t> seed;
    bool heatmaps = true;                      ///< Grad-CAM for predicted and true class
    int flushEvery = 25;                       ///< cases per committed transaction
    const std::atomic<bool>* cancel = nullptr; ///< set (e.g. on Ctrl+C) to stop cleanly
    std::function<void(const EvaluateProgress&)> progress;
};

struct EvaluateResult {
    int evaluated = 0;      ///< by this invocation
    int alreadyDone = 0;    ///< found in the file and skipped
    int total = 0;          ///< cases of the split
    bool cancelled = false; ///< stopped early; run again to resume
    double seconds = 0;
    std::vector<FileFailure> failures;        ///< unreadable images (not fatal)
    std::vector<FileFailure> datasetProblems; ///< unknown labels, missing files, ...
    std::string heatmapError;                 ///< why maps were not made (model without Grad-CAM)
    std::string splitNote; ///< the run overlaps (or may overlap) the package's training data
};

/// Throws spinelens::Error for what stops the run as a whole (no package, no data, a run file
/// of another run), naming the thing at fault.
EvaluateResult evaluate(const EvaluateOptions& options);

/// The identity of a model package as a run records it (model_hash): its weights, card
/// (calibration included) and domain model. An operating point chosen from a run belongs to
/// exactly this package. Throws Error naming the folder when the weights or card cannot be read.
std::string packageHash(const std::string& folder);

/// The metrics of a run's cases, with the domain check's coverage and in-domain accuracy.
/// Throws spinelens::Error naming runFile when a case does not fit the run's classes.
Metrics runMetrics(const RunInfo& info, const std::vector<CaseRecord>& cases,
                   const std::string& runFile);

/// Recomputes the metrics from the cases in a run file and stores them; returns their JSON.
std::string refreshMetrics(const std::string& runFile);

} // namespace spinelens::eval
