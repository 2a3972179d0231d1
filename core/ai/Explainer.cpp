#include "ai/Explainer.h"

#include "Error.h"

#include <algorithm>
#include <cmath>

namespace spinelens::ai {

ExplainMethod explainMethodFromName(const std::string& name) {
    if (name == "gradcam")
        return ExplainMethod::GradCam;
    if (name == "gradcam++")
        return ExplainMethod::GradCamPlusPlus;
    if (name == "occlusion")
        return ExplainMethod::Occlusion;
    throw Error("unknown explanation method (use gradcam, gradcam++ or occlusion)", name);
}

std::string explainMethodName(ExplainMethod method) {
    switch (method) {
    case ExplainMethod::GradCam:
        return "gradcam";
    case ExplainMethod::GradCamPlusPlus:
        return "gradcam++";
    case ExplainMethod::Occlusion:
        return "occlusion";
    }
    return {};
}

ClassScore classScore(const ModelCard& card, int classIndex) {
    if (classIndex < 0 || classIndex >= int(card.classes.size()))
        throw Error("class index " + std::to_string(classIndex) + " out of range (" +
                        std::to_string(card.classes.size()) + " classes)",
                    card.name);
    if (card.expectedOutputs() == 1)
        return {0, classIndex == 1 ? 1.0f : -1.0f};
    return {classIndex, 1.0f};
}

std::vector<float> gradCamMap(const std::vector<float>& a, const std::vector<float>& g,
                              int channels, int height, int width, bool plusPlus) {
    const std::size_t plane = std::size_t(height) * width;
    std::vector<double> weights(std::size_t(channels), 0.0);
    for (int k = 0; k < channels; ++k) {
        const float* ak = a.data() + plane * k;
        const float* gk = g.data() + plane * k;
        if (!plusPlus) {
            // alpha_k = global average of the gradient.
            double sum = 0;
            for (std::size_t i = 0; i < plane; ++i)
                sum += gk[i];
            weights[std::size_t(k)] = sum / double(plane);
        } else {
            // alpha_k^ij = g^2 / (2 g^2 + sum_ab(A_ab) g^3), w_k = sum_ij alpha_k^ij relu(g_ij)
            // (the paper's closed form with the exponential score, as most implementations use).
            double sumA = 0;
            for (std::size_t i = 0; i < plane; ++i)
                sumA += ak[i];
            double w = 0;
            for (std::size_t i = 0; i < plane; ++i) {
                const double gi = gk[i];
                if (gi == 0.0)
                    continue;
                const double g2 = gi * gi, g3 = g2 * gi;
                const double denominator = 2.0 * g2 + sumA * g3;
                const double alpha = g2 / (denominator != 0.0 ? denominator : 1e-7);
                w += alpha * std::max(0.0, gi);
            }
            weights[std::size_t(k)] = w;
        }
    }
    std::vector<float> cam(plane, 0.0f);
    for (std::size_t i = 0; i < plane; ++i) {
        double v = 0;
        for (int k = 0; k < channels; ++k)
            v += weights[std::size_t(k)] * a[plane * k + i];
        cam[i] = float(std::max(0.0, v));
    }
    return cam;
}

namespace {

void finish(Heatmap& h, const GreyImage& image) {
    h.width = image.width;
    h.height = image.height;
    h.maximum = h.raw.empty() ? 0.0f : *std::max_element(h.raw.begin(), h.raw.end());
    h.values.assign(std::size_t(h.width) * h.height, 0.0f);
    resizeBilinear(h.raw.data(), h.rawWidth, h.rawHeight, h.values.data(), h.width, h.height);
    // Scale by the peak of the upsampled map, so the strongest evidence on screen is the top of
    // the colour scale (bilinear upsampling never quite reaches the raw maximum).
    const float peak =
        h.values.empty() ? 0.0f : *std::max_element(h.values.begin(), h.values.end());
    const float scale = peak > 0 ? 1.0f / peak : 0.0f;
    for (float& v : h.values)
        v = std::clamp(v * scale, 0.0f, 1.0f);
}

Heatmap occlusion(const ModelPackage& package, const std::vector<float>& input, int classIndex) {
    const ModelCard& card = package.card();
    const int w = card.width, h = card.height, c = card.channels;
    const std::size_t plane = std::size_t(w) * h;
    const int patch = std::max(2, std::min(w, h) / 8);
    const int stride = std::max(1, patch / 2);
    int outputs = 0;
    const std::vector<float> base = package.model().forward(input.data(), 1, c, h, w, &outputs);
    const float reference =
        toPrediction(card, base.data(), outputs).probabilities[std::size_t(classIndex)];

    std::vector<std::pair<int, int>> positions;
    for (int y = 0; y + patch <= h + stride - 1; y += stride)
        for (int x = 0; x + patch <= w + stride - 1; x += stride)
            positions.emplace_back(x, y);
    std::vector<double> sum(plane, 0.0);
    std::vector<int> count(plane, 0);
    const std::size_t batch = 16;
    for (std::size_t first = 0; first < positions.size(); first += batch) {
        const std::size_t n = std::min(batch, positions.size() - first);
        std::vector<float> occluded;
        occluded.reserve(n * input.size());
        for (std::size_t b = 0; b < n; ++b) {
            std::vector<float> one = input;
            const auto [px, py] = positions[first + b];
            // Occluder: zero in the model's input space (black after minmax, the mean after
            // mean/std normalisation).
            for (int ch = 0; ch < c; ++ch)
                for (int y = py; y < std::min(h, py + patch); ++y)
                    std::fill_n(one.begin() + std::ptrdiff_t(plane * ch + std::size_t(y) * w + px),
                                std::min(patch, w - px), 0.0f);
            occluded.insert(occluded.end(), one.begin(), one.end());
        }
        const std::vector<float> logits =
            package.model().forward(occluded.data(), int(n), c, h, w, &outputs);
        for (std::size_t b = 0; b < n; ++b) {
            const float p = toPrediction(card, logits.data() + b * std::size_t(outputs), outputs)
                                .probabilities[std::size_t(classIndex)];
            const auto [px, py] = positions[first + b];
            for (int y = py; y < std::min(h, py + patch); ++y)
                for (int x = px; x < std::min(w, px + patch); ++x) {
                    sum[std::size_t(y) * w + x] += reference - p;
                    ++count[std::size_t(y) * w + x];
                }
        }
    }
    Heatmap hm;
    hm.rawWidth = w;
    hm.rawHeight = h;
    hm.raw.resize(plane);
    for (std::size_t i = 0; i < plane; ++i)
        hm.raw[i] = count[i] ? float(std::max(0.0, sum[i] / count[i])) : 0.0f; // evidence only
    return hm;
}

} // namespace

Heatmap explain(const ModelPackage& package, ExplainMethod method, const GreyImage& image,
                int classIndex) {
    const ModelCard& card = package.card();
    const ClassScore score = classScore(card, classIndex);
    const std::vector<float> input =
        package.preprocessor()(image.pixels, image.width, image.height, image.display);
    Heatmap h;
    if (method == ExplainMethod::Occlusion) {
        h = occlusion(package, input, classIndex);
    } else {
        if (!package.supportsGradCam())
            throw Error("Grad-CAM needs a model that exports features() and classify(); use "
                        "occlusion instead",
                        package.folder());
        const TorchModel::FeatureGradients fg = package.model().featureGradients(
            input.data(), card.channels, card.height, card.width, score.output, score.sign);
        h.rawWidth = fg.width;
        h.rawHeight = fg.height;
        h.raw = gradCamMap(fg.activations, fg.gradients, fg.channels, fg.height, fg.width,
                           method == ExplainMethod::GradCamPlusPlus);
    }
    h.method = explainMethodName(method);
    h.classIndex = classIndex;
    finish(h, image);
    return h;
}

ExplainedPrediction explainPrediction(const ModelPackage& package, const GreyImage& image,
                                      int otherClass) {
    const ModelCard& card = package.card();
    if (!package.supportsGradCam())
        throw Error("Grad-CAM needs a model that exports features() and classify()",
                    package.folder());
    const std::vector<float> input =
        package.preprocessor()(image.pixels, image.width, image.height, image.display);
    ExplainedPrediction out;
    std::vector<int> classes;
    const TorchModel::ChosenGradients g = package.model().featureGradientsFor(
        input.data(), card.channels, card.height, card.width,
        [&](const std::vector<float>& logits) {
            out.prediction = toPrediction(card, logits.data(), int(logits.size()));
            classes = {out.prediction.predicted};
            if (otherClass >= 0 && otherClass != out.prediction.predicted)
                classes.push_back(otherClass);
            std::vector<std::pair<int, float>> scores;
            for (int c : classes) {
                const ClassScore s = classScore(card, c);
                scores.emplace_back(s.output, s.sign);
            }
            return scores;
        });
    for (std::size_t k = 0; k < classes.size(); ++k) {
        Heatmap& h = k == 0 ? out.predicted : out.other;
        h.rawWidth = g.width;
        h.rawHeight = g.height;
        h.raw = gradCamMap(g.activations, g.gradients[k], g.channels, g.height, g.width, false);
        h.method = explainMethodName(ExplainMethod::GradCam);
        h.classIndex = classes[k];
        finish(h, image);
    }
    out.hasOther = classes.size() > 1;
    if (const DomainModel* domain = package.domain()) {
        // The activations are already here: pool them for the domain check.
        const std::size_t plane = std::size_t(g.height) * g.width;
        std::vector<float> pooled(std::size_t(g.channels), 0.0f);
        for (int c = 0; c < g.channels; ++c) {
            double sum = 0;
            for (std::size_t i = 0; i < plane; ++i)
                sum += g.activations[std::size_t(c) * plane + i];
            pooled[std::size_t(c)] = float(sum / double(plane));
        }
        out.prediction.domain = domain->check(pooled.data(), double(image.width) / image.height);
    }
    return out;
}

} // namespace spinelens::ai
