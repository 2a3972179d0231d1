#pragma once
// Classification metrics of an evaluation run, defined as scikit-learn defines them (the tests
// compare every figure with Debian's python3-sklearn on the same predictions). Where sklearn
// would refuse or warn (a class with no positives), the figure is NaN and is left out of
// averages that say so.
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::eval {

struct Curve {
    std::vector<double> x, y, thresholds; ///< ROC: x = FPR, y = TPR; PR: x = recall, y = precision
};

struct ClassMetrics {
    std::string name;
    int support = 0; ///< cases whose true label is this class
    double precision = 0, recall = 0, f1 = 0;
    double sensitivity = 0, specificity = 0; ///< one-vs-rest
    double auc = 0;              ///< NaN when the class has no positives or no negatives
    double averagePrecision = 0; ///< NaN when the class has no positives
    Curve roc, pr;
};

struct Interval {
    double low = 0, high = 0;
};

/// How much of a run the model could assess (its domain check), and how well it did there.
struct DomainCoverage {
    bool checked = false; ///< false when the model has no domain model (every case counts)
    double threshold = 0;
    int cases = 0, inDomain = 0;
    double coverage = 0;         ///< inDomain / cases
    double accuracyInDomain = 0; ///< NaN when no case is in domain
};

struct Metrics {
    int cases = 0;
    double accuracy = 0;
    std::vector<ClassMetrics> classes;
    double macroPrecision = 0, macroRecall = 0, macroF1 = 0;
    double weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0;
    double macroAuc = 0; ///< mean over classes whose AUC is defined
    /// Disease (any class but the normal one) vs normal; NaN when there is no normal class.
    int normalClass = -1;
    double diseaseSensitivity = 0, diseaseSpecificity = 0;
    std::vector<std::vector<int>> confusion;              ///< [true][predicted] counts
    std::vector<std::vector<double>> confusionRowPercent; ///< rows sum to 100 (0 for empty rows)
    Interval accuracyCi, macroAucCi;                      ///< 95 % percentile bootstrap
    int bootstrapResamples = 0;
    std::uint64_t bootstrapSeed = 0;
    /// What the bootstrap resampled: whole patients/studies (their slices together) or, when
    /// no case shares a group, single cases; and how many of them.
    bool bootstrapByGroup = false;
    int bootstrapUnits = 0;
    double expectedCalibrationError = 0; ///< 10 equal-width bins of top-class confidence
    /// Reliability diagram: per bin, mean confidence, accuracy and count (empty bins count 0).
    std::vector<double> calibrationConfidence, calibrationAccuracy;
    std::vector<int> calibrationCount;
    DomainCoverage domain; ///< filled by the run (computeMetrics leaves it empty)
};

struct MetricsOptions {
    int bootstrapResamples = 1000;
    std::uint64_t bootstrapSeed = 20241;
    int calibrationBins = 10;
    /// Per case, its patient or study (empty, or an empty entry: the case alone). Slices of one
    /// patient are not independent, so the bootstrap draws groups with replacement and takes
    /// all of a drawn group's cases; resampling slices would make the intervals too narrow.
    std::vector<std::string> groups;
};

/// labels[i] in 0..K-1; probabilities is N x K (row i sums to ~1); the prediction is the arg
/// max (first on ties, as numpy). The normal class is the one named "normal" or "healthy".
Metrics computeMetrics(const std::vector<int>& labels,
                       const std::vector<std::vector<double>>& probabilities,
                       const std::vector<std::string>& classNames,
                       const MetricsOptions& options = {});

/// "bootstrap over 14 patients/studies (their cases resampled together), 1000 resamples" or
/// "... over 300 cases ...": what the intervals resampled, for reports and panels.
std::string bootstrapDescription(const Metrics& m);

/// sklearn's roc_curve(drop_intermediate=False) and precision_recall_curve for one score.
Curve rocCurve(const std::vector<int>& positive, const std::vector<double>& score);
Curve precisionRecallCurve(const std::vector<int>& positive, const std::vector<double>& score);

/// The bootstrap's index stream: splitmix64 from the seed, index = value mod G over the G
/// groups in order of first appearance (reproduced by tests/reference/metrics_reference.py to
/// compare the intervals exactly).
std::uint64_t splitmix64(std::uint64_t& state);

/// numpy.percentile with its default linear interpolation.
double percentile(std::vector<double> values, double percent);

} // namespace spinelens::eval
