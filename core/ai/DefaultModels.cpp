#include "ai/DefaultModels.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace spinelens::ai {
namespace {

bool holdsPackages(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / kXrayDefaultModel / "model.json", ec) ||
           fs::is_regular_file(dir / kMriDefaultModel / "model.json", ec);
}

} // namespace

std::string findModelsDirectory(const std::string& applicationDir) {
    if (const char* env = std::getenv("SPINELENS_MODELS_DIR"); env && *env)
        return env;
    std::vector<fs::path> candidates;
    if (!applicationDir.empty())
        candidates.push_back(fs::path(applicationDir) / ".." / "share" / "spinelens" / "models");
#ifdef SPINELENS_SOURCE_MODELS_DIR
    candidates.push_back(SPINELENS_SOURCE_MODELS_DIR);
#endif
    for (const fs::path& c : candidates)
        if (holdsPackages(c))
            return fs::weakly_canonical(c).string();
    return {};
}

namespace {
bool isRadiograph(const std::string& modality, bool rasterImage) {
    return rasterImage || modality == "DX" || modality == "CR" || modality == "RG" ||
           modality == "DR";
}
} // namespace

std::string modalityMismatch(const std::string& modelName, const std::string& cardModality,
                             const std::string& modality, bool rasterImage) {
    if (cardModality.empty() || cardModality == "OT") // no modality, or "other": any image
        return {};
    const bool cardRadiograph = isRadiograph(cardModality, false);
    if (cardRadiograph ? isRadiograph(modality, rasterImage) : cardModality == modality)
        return {};
    const std::string image = rasterImage        ? std::string("a PNG/JPEG image")
                              : modality.empty() ? std::string("an image without a modality")
                                                 : "a " + modality + " image";
    return "the model " + modelName + " is for " + cardModality +
           (cardRadiograph ? " radiographs" : " images") + "; this is " + image +
           ", so it was not run on it";
}

DefaultModel defaultModelFor(const std::string& modality, bool rasterImage,
                             const std::string& modelsDirectory) {
    const char* name = nullptr;
    if (modality == "MR")
        name = kMriDefaultModel;
    else if (isRadiograph(modality, rasterImage))
        name = kXrayDefaultModel;
    if (!name)
        return {{},
                "no default model for " +
                    (modality.empty() ? std::string("this image") : modality) +
                    " images (Model > Open Model Package… to choose one)"};
    if (modelsDirectory.empty())
        return {{}, "the shipped model packages were not found (set SPINELENS_MODELS_DIR)"};
    const fs::path folder = fs::path(modelsDirectory) / name;
    std::error_code ec;
    if (!fs::is_regular_file(folder / "model.json", ec))
        return {{}, "the default package " + folder.string() + " is missing"};
    return {folder.string(), {}};
}

} // namespace spinelens::ai
