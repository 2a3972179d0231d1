#pragma once
// model.json: what a model is, what it expects and what it may be used for. Read and checked
// without LibTorch, so the viewer can show a card even when the weights do not load.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace spinelens::ai {

struct Preprocessing {
    /// "minmax" (slice to [0,1], the MRI study), "divide255" (8-bit X-rays to [0,1]),
    /// "zscore" (mean 0, sd 1 over the slice) or "none".
    std::string intensity = "minmax";
    /// Per-channel normalisation after intensity, (x - mean) / std; empty = none.
    std::vector<float> mean, std;
    /// "stretch": bilinear resize to the input size (PyTorch's interpolate, align_corners=False).
    std::string resize = "stretch";
};

struct ModelCard {
    std::string name, version, task, modality;
    std::vector<std::string> classes; ///< in output order
    /// "softmax" (K outputs) or "sigmoid" (1 output = probability of classes[1] when there are
    /// 2 classes; otherwise one independent output per class).
    std::string activation = "softmax";
    int height = 224, width = 224, channels = 1;
    Preprocessing preprocessing;
    std::string architecture, weights, dataset;
    bool synthetic = false;           ///< trained (or initialised) on phantoms, not patients
    bool clinicallyValidated = false; ///< never true for anything this project ships
    std::string intendedUse;
    nlohmann::json provenance; ///< everything under "provenance", as written
    /// Temperature scaling (ai/trust/Calibration.h): logits are divided by it before the
    /// activation wherever probabilities are made. 1 = uncalibrated.
    double temperature = 1.0;
    /// A temperature was fitted and is applied (calibration.fitted is not false).
    bool calibrated = false;
    nlohmann::json calibration; ///< everything under "calibration", as written (may be null)

    /// Outputs the module must produce for this card.
    int expectedOutputs() const;
    /// One line for the UI and the CLI: name, version, and "synthetic"/"untrained" warnings.
    std::string headline() const;

    /// Throws spinelens::Error naming model.json and the field at fault.
    static ModelCard fromJson(const nlohmann::json& j, const std::string& source);
    static ModelCard fromFile(const std::string& path);
};

} // namespace spinelens::ai
