#pragma once
// Per-class probabilities for a slice, a batch, or every slice of a series. Stateless apart
// from the package it holds: Classifier::predict(image) returns a value.
#include "ai/ModelPackage.h"
#include "image/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace spinelens::ai {

struct Prediction {
    std::vector<float> logits;
    std::vector<float> probabilities; ///< one per class, in card order
    int predicted = 0;                ///< index of the highest probability
};

struct SeriesPrediction {
    std::vector<Prediction> slices;
    std::vector<float> maxProbability;  ///< per class, over slices
    std::vector<float> meanProbability; ///< per class, over slices
    int predictedByMax = 0;
};

struct GreyImage {
    const float* pixels = nullptr;
    int width = 0;
    int height = 0;
};

/// Probabilities from logits by the card's activation.
Prediction toPrediction(const ModelCard& card, const float* logits, int outputs);

class Classifier {
public:
    explicit Classifier(std::shared_ptr<const ModelPackage> package);

    const ModelPackage& package() const { return *package_; }
    /// Throws spinelens::Error for images the model cannot take (see Preprocessor).
    Prediction predict(const GreyImage& image) const;
    std::vector<Prediction> predictBatch(const std::vector<GreyImage>& images) const;
    SeriesPrediction predictSeries(const Volume& volume, int batchSize = 8) const;

private:
    std::shared_ptr<const ModelPackage> package_;
};

} // namespace spinelens::ai
