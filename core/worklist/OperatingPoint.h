#pragma once
// The worklist's flag threshold, chosen from an evaluation run: the user names a target
// (sensitivity at least X, specificity at least Y, or a fixed value) and gets the threshold on
// the flag score (ai/FlagScore.h) with the sensitivity and specificity the run expects there,
// each with a 95 % bootstrap interval (patients/studies resampled together, as the metrics do),
// and where it came from: the run file and its hash, the model and its hash. Only the cases the
// model could assess count: an image out of domain is never flagged.
#include "eval/Metrics.h"
#include "worklist/Worklist.h"

#include <string>

namespace spinelens::worklist {

struct OperatingTarget {
    enum class Kind { Sensitivity, Specificity, Value } kind = Kind::Sensitivity;
    double value = 0.9;
    std::string text() const; ///< "sensitivity >= 0.9"
};

struct OperatingPoint {
    double threshold = 0.5;
    double sensitivity = 0, specificity = 0;
    eval::Interval sensitivityCi, specificityCi;
    int positives = 0, negatives = 0; ///< cases in domain, by truth
    int outOfDomain = 0;              ///< cases left out
    int resamples = 0;
    std::string runFile, runHash;
    std::string model, modelVersion, modelHash;
    bool syntheticData = false;
    OperatingTarget target;
    /// The provenance as JSON (stored with the threshold and in the audit log).
    std::string provenanceJson() const;
    Threshold asThreshold(const std::string& user) const;
};

/// Throws Error naming the run file when it cannot give a threshold: not a run, a model
/// without a normal/healthy class, no positive or no negative case in domain, a target that
/// cannot be met.
OperatingPoint chooseOperatingPoint(const std::string& runFile, const OperatingTarget& target,
                                    int resamples = 1000, std::uint64_t seed = 20241);

} // namespace spinelens::worklist
