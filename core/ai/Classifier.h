#pragma once
// Per-class probabilities for a slice, a batch, or every slice of a series. Stateless apart
// from the package it holds: Classifier::predict(image) returns a value.
#include "ai/ModelPackage.h"
#include "dicom/SeriesInfo.h"
#include "image/Volume.h"

#include <memory>
#include <string>
#include <vector>

namespace spinelens::ai {

struct Prediction {
    std::vector<float> logits;        ///< as the module returned them (before temperature)
    std::vector<float> probabilities; ///< one per class, in card order, calibrated
    int predicted = 0;                ///< index of the highest probability
    /// Whether the image is like the training data. An image out of domain has no finding:
    /// its probabilities exist only to be shown on request, marked "out of domain".
    DomainCheck domain;
};

struct SeriesPrediction {
    std::vector<Prediction> slices;
    int outOfDomainSlices = 0;
    /// Per class, over the in-domain slices only; empty when no slice is in domain.
    std::vector<float> maxProbability;
    std::vector<float> meanProbability;
    int predictedByMax = -1; ///< -1 when no slice is in domain
};

struct GreyImage {
    const float* pixels = nullptr;
    int width = 0;
    int height = 0;
    /// How the file presents these values (see Preprocessor); null: already 8-bit grey.
    const DisplayDefaults* display = nullptr;
};

/// Probabilities from logits by the card's activation, after dividing them by the card's
/// temperature.
Prediction toPrediction(const ModelCard& card, const float* logits, int outputs);

class Classifier {
public:
    explicit Classifier(std::shared_ptr<const ModelPackage> package);

    const ModelPackage& package() const { return *package_; }
    /// Throws spinelens::Error for images the model cannot take (see Preprocessor).
    Prediction predict(const GreyImage& image) const;
    std::vector<Prediction> predictBatch(const std::vector<GreyImage>& images) const;
    /// `series`: where each slice's presentation comes from (see GreyImage); null for 8-bit
    /// grey values.
    SeriesPrediction predictSeries(const Volume& volume, const SeriesInfo* series,
                                   int batchSize = 8) const;

private:
    std::shared_ptr<const ModelPackage> package_;
};

} // namespace spinelens::ai
