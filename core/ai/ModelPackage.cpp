#include "ai/ModelPackage.h"

#include "Error.h"

#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace spinelens::ai {

ModelPackage::ModelPackage(std::string folder, ModelCard card, std::unique_ptr<TorchModel> model)
    : folder_(std::move(folder)), card_(std::move(card)), preprocessor_(card_),
      model_(std::move(model)) {}

std::shared_ptr<ModelPackage> ModelPackage::load(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error("not a model package folder", folder);
    const std::string cardPath = (fs::path(folder) / "model.json").string();
    const std::string modelPath = (fs::path(folder) / "model.pt").string();
    ModelCard card = ModelCard::fromFile(cardPath);
    std::unique_ptr<TorchModel> model = TorchModel::load(modelPath);

    // Run the module once on a blank input of the card's size: the output count must match.
    const std::vector<float> blank(std::size_t(card.channels) * card.height * card.width, 0.0f);
    int outputs = 0;
    std::vector<float> logits;
    try {
        logits = model->forward(blank.data(), 1, card.channels, card.height, card.width, &outputs);
    } catch (const Error& e) {
        throw Error("does not accept the input model.json describes (" +
                        std::to_string(card.channels) + " x " + std::to_string(card.height) +
                        " x " + std::to_string(card.width) + "): " + e.reason(),
                    modelPath);
    }
    if (outputs != card.expectedOutputs())
        throw Error("produces " + std::to_string(outputs) + " output(s) but model.json lists " +
                        std::to_string(card.classes.size()) + " classes with " + card.activation +
                        " (expects " + std::to_string(card.expectedOutputs()) + ")",
                    modelPath);
    if (model->hasFeaturesAndClassify()) {
        const std::vector<float> viaFeatures =
            model->forwardViaFeatures(blank.data(), card.channels, card.height, card.width);
        for (std::size_t i = 0; i < logits.size(); ++i)
            if (i >= viaFeatures.size() ||
                std::abs(viaFeatures[i] - logits[i]) > 1e-4f * (1.0f + std::abs(logits[i])))
                throw Error("forward(x) differs from classify(features(x)); the Grad-CAM contract "
                            "is broken",
                            modelPath);
    }
    std::optional<DomainModel> domain = DomainModel::load(folder);
    if (domain) {
        const std::string domainPath = (fs::path(folder) / "domain.json").string();
        if (!model->hasFeaturesAndClassify())
            throw Error("the package has a domain model but its module does not export "
                        "features() and classify()",
                        domainPath);
        const auto pooled =
            model->pooledFeaturesAndLogits(blank.data(), 1, card.channels, card.height, card.width);
        if (pooled.dims != domain->dims() || domain->classes() != int(card.classes.size()))
            throw Error("the domain model is for " + std::to_string(domain->dims()) +
                            " features and " + std::to_string(domain->classes()) +
                            " classes; the module has " + std::to_string(pooled.dims) +
                            " features and the card " + std::to_string(card.classes.size()) +
                            " classes",
                        domainPath);
    }
    auto package =
        std::shared_ptr<ModelPackage>(new ModelPackage(folder, std::move(card), std::move(model)));
    package->domain_ = std::move(domain);
    return package;
}

} // namespace spinelens::ai
