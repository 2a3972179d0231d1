#pragma once
// How strongly the model flags an image: the probability of not being normal/healthy when
// the model has such a class, else its top probability; -1 ("not assessed") for an image
// outside the model's training data, which is never flagged. The slice strip, the worklist's
// triage and its operating points all use this one score.
#include "ai/Classifier.h"

#include <vector>

namespace spinelens::ai {

/// The class named "normal" or "healthy" (any case), or -1.
int normalClassIndex(const std::vector<std::string>& classes);

/// The flag score of one prediction; -1 when it is out of domain.
float flagScore(const std::vector<std::string>& classes, const Prediction& p);

/// Per slice of a series.
std::vector<float> flagScores(const ModelCard& card, const SeriesPrediction& series);

/// The same score from stored probabilities (an evaluation run's cases).
double flagScore(const std::vector<std::string>& classes, const std::vector<float>& probabilities);

} // namespace spinelens::ai
