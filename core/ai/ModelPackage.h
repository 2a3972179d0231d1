#pragma once
// A model package folder: model.pt (TorchScript) + model.json (the card), checked against
// each other on load so a mismatch is one clear message, not a wrong answer later.
#include "ai/ModelCard.h"
#include "ai/Preprocessor.h"
#include "ai/TorchModel.h"
#include "ai/trust/DomainModel.h"

#include <memory>
#include <optional>
#include <string>

namespace spinelens::ai {

class ModelPackage {
public:
    /// Throws spinelens::Error naming the file at fault: missing or corrupt model.pt or
    /// model.json, output count that does not match the classes, a module whose
    /// classify(features(x)) differs from forward(x).
    static std::shared_ptr<ModelPackage> load(const std::string& folder);

    const std::string& folder() const { return folder_; }
    const ModelCard& card() const { return card_; }
    const Preprocessor& preprocessor() const { return preprocessor_; }
    const TorchModel& model() const { return *model_; }
    /// The domain check (domain.json), or nullptr for a package without one: its outputs
    /// then carry no statement about whether the image is like the training data.
    const DomainModel* domain() const { return domain_ ? &*domain_ : nullptr; }
    /// Grad-CAM and Grad-CAM++ need the features/classify contract; occlusion does not.
    bool supportsGradCam() const { return model_->hasFeaturesAndClassify(); }

private:
    ModelPackage(std::string folder, ModelCard card, std::unique_ptr<TorchModel> model);
    std::string folder_;
    ModelCard card_;
    Preprocessor preprocessor_;
    std::unique_ptr<TorchModel> model_;
    std::optional<DomainModel> domain_;
};

} // namespace spinelens::ai
