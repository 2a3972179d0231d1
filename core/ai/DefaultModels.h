#pragma once
// The model packages SpineLens ships (models/ in the source tree, share/spinelens/models when
// installed) and which one the viewer uses for a series when the user has not chosen one.
#include <string>

namespace spinelens::ai {

inline constexpr const char* kXrayDefaultModel = "spine-xray-4class";
inline constexpr const char* kMriDefaultModel = "lumbar-mri-binary";

/// The folder holding the shipped packages: $SPINELENS_MODELS_DIR if set, else
/// applicationDir/../share/spinelens/models, else the source tree's models/ (build tree runs).
/// Empty when none of them holds a package.
std::string findModelsDirectory(const std::string& applicationDir);

struct DefaultModel {
    std::string folder; ///< empty when there is no default for this kind of image
    std::string reason; ///< why not, for the AI panel
};

/// MR -> the lumbar MRI package; radiographs (DX, CR, RG, PNG/JPEG files) -> the X-ray package;
/// anything else (CT, ...) has no default.
DefaultModel defaultModelFor(const std::string& modality, bool rasterImage,
                             const std::string& modelsDirectory);

/// Empty when a model whose card names `cardModality` may run on an image of `modality`
/// (radiographs, DX/CR/RG/DR and PNG/JPEG files, are one family; a card without a modality
/// or with OT, "other", runs on anything); otherwise a message naming both, for the user to decide.
std::string modalityMismatch(const std::string& modelName, const std::string& cardModality,
                             const std::string& modality, bool rasterImage);

} // namespace spinelens::ai
