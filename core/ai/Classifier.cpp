#include "ai/Classifier.h"

#include "Error.h"

#include <algorithm>
#include <cmath>

namespace spinelens::ai {

Prediction toPrediction(const ModelCard& card, const float* logits, int outputs) {
    Prediction p;
    p.logits.assign(logits, logits + outputs);
    const double t = card.temperature;
    if (card.activation == "softmax") {
        const float top = *std::max_element(logits, logits + outputs);
        double sum = 0;
        for (int i = 0; i < outputs; ++i)
            sum += std::exp(double(logits[i] - top) / t);
        for (int i = 0; i < outputs; ++i)
            p.probabilities.push_back(float(std::exp(double(logits[i] - top) / t) / sum));
    } else if (outputs == 1 && card.classes.size() == 2) {
        const double positive = 1.0 / (1.0 + std::exp(-double(logits[0]) / t));
        p.probabilities = {float(1.0 - positive), float(positive)};
    } else {
        for (int i = 0; i < outputs; ++i)
            p.probabilities.push_back(float(1.0 / (1.0 + std::exp(-double(logits[i]) / t))));
    }
    p.predicted = int(std::max_element(p.probabilities.begin(), p.probabilities.end()) -
                      p.probabilities.begin());
    return p;
}

Classifier::Classifier(std::shared_ptr<const ModelPackage> package)
    : package_(std::move(package)) {}

Prediction Classifier::predict(const GreyImage& image) const {
    return predictBatch({image}).front();
}

std::vector<Prediction> Classifier::predictBatch(const std::vector<GreyImage>& images) const {
    const ModelCard& card = package_->card();
    const Preprocessor& pre = package_->preprocessor();
    std::vector<float> input;
    input.reserve(pre.inputSize() * images.size());
    for (const GreyImage& im : images) {
        const std::vector<float> one = pre(im.pixels, im.width, im.height, im.display);
        input.insert(input.end(), one.begin(), one.end());
    }
    const int n = int(images.size());
    std::vector<Prediction> out;
    if (const DomainModel* domain = package_->domain()) {
        // One features() pass gives the domain score and the logits.
        const TorchModel::PooledOutputs pooled = package_->model().pooledFeaturesAndLogits(
            input.data(), n, card.channels, card.height, card.width);
        for (std::size_t i = 0; i < images.size(); ++i) {
            out.push_back(toPrediction(card, pooled.logits.data() + i * std::size_t(pooled.outputs),
                                       pooled.outputs));
            out.back().domain = domain->check(pooled.features.data() + i * std::size_t(pooled.dims),
                                              double(images[i].width) / images[i].height);
        }
        return out;
    }
    int outputs = 0;
    const std::vector<float> logits = package_->model().forward(input.data(), n, card.channels,
                                                                card.height, card.width, &outputs);
    for (std::size_t i = 0; i < images.size(); ++i)
        out.push_back(toPrediction(card, logits.data() + i * std::size_t(outputs), outputs));
    return out;
}

SeriesPrediction Classifier::predictSeries(const Volume& volume, const SeriesInfo* series,
                                           int batchSize) const {
    SeriesPrediction s;
    const std::size_t classes = package_->card().classes.size();
    for (int k = 0; k < volume.depth; k += batchSize) {
        std::vector<GreyImage> batch;
        for (int j = k; j < std::min(volume.depth, k + batchSize); ++j)
            batch.push_back({volume.slice(j), volume.width, volume.height,
                             series ? &series->sliceDisplay(j) : nullptr});
        for (Prediction& p : predictBatch(batch))
            s.slices.push_back(std::move(p));
    }
    // Only slices the model can assess count towards the series' answer.
    int inDomain = 0;
    for (const Prediction& p : s.slices)
        inDomain += p.domain.inDomain ? 1 : 0;
    s.outOfDomainSlices = int(s.slices.size()) - inDomain;
    if (inDomain == 0)
        return s;
    s.maxProbability.assign(classes, 0.0f);
    s.meanProbability.assign(classes, 0.0f);
    for (const Prediction& p : s.slices)
        if (p.domain.inDomain)
            for (std::size_t c = 0; c < classes; ++c) {
                s.maxProbability[c] = std::max(s.maxProbability[c], p.probabilities[c]);
                s.meanProbability[c] += p.probabilities[c] / float(inDomain);
            }
    s.predictedByMax = int(std::max_element(s.maxProbability.begin(), s.maxProbability.end()) -
                           s.maxProbability.begin());
    return s;
}

} // namespace spinelens::ai
