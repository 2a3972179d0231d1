#pragma once
// Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): one
// scalar T divides every logit before softmax (or the sigmoid of a one-output binary model),
// fitted on the validation split by minimising the negative log-likelihood. It changes how
// sure the model says it is, never which class it picks.
#include <vector>

namespace spinelens::ai {

/// Logits of one sample (K values, or 1 for a binary sigmoid model) and its class index.
struct LabelledLogits {
    std::vector<std::vector<float>> logits;
    std::vector<int> labels;
};

/// Mean negative log-likelihood of the labels under softmax(logits / T), or, for one output,
/// sigmoid(logit / T) as the probability of class 1.
double negativeLogLikelihood(const LabelledLogits& data, double temperature);

struct TemperatureFit {
    double temperature = 1.0;
    double nllBefore = 0.0; ///< at T = 1
    double nllAfter = 0.0;  ///< at the fitted T
    int samples = 0;
    /// The minimum lies on a bound of the search interval: the NLL keeps falling towards it (a
    /// validation split the model separates perfectly drives T towards 0), so the data cannot
    /// fix T. Callers should not use such a temperature.
    bool atBound = false;
};

/// Golden-section search on log T over [kMinTemperature, kMaxTemperature] (the NLL is convex
/// in 1/T, so it has one minimum there; a validation set the model separates perfectly drives
/// T to the lower bound). Throws spinelens::Error when there is no sample.
constexpr double kMinTemperature = 0.05;
constexpr double kMaxTemperature = 20.0;
TemperatureFit fitTemperature(const LabelledLogits& data);

/// Probabilities from logits at temperature T, by the same rule as negativeLogLikelihood;
/// a one-output model gives {1 - p, p}.
std::vector<double> probabilitiesAt(const std::vector<float>& logits, double temperature);

/// Expected calibration error (Guo et al. 2017 / Naeini et al. 2015): samples binned by their
/// top probability into `bins` equal-width bins (lower, upper] over [0, 1], as the run
/// metrics' reliability diagram, |accuracy - mean confidence| weighted by the bin's share.
double expectedCalibrationError(const std::vector<std::vector<double>>& probabilities,
                                const std::vector<int>& labels, int bins = 15);

} // namespace spinelens::ai
