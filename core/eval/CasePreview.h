#pragma once
// A small colour picture of one evaluation case: the image, windowed, with its stored
// Grad-CAM map blended on top. The HTML report embeds them; the browser's gallery shows them.
#include "eval/RunFile.h"
#include "study/CaseImage.h"

#include <cstdint>
#include <vector>

namespace spinelens::eval {

struct RgbPreview {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb; ///< height * width * 3
};

/// Fits the image into size x size (aspect kept), windows it from its 0.5th to 99.5th
/// percentile, and blends the map (bilinear up-sampling) at the given opacity when given.
RgbPreview renderCasePreview(const CaseImage& image, const StoredHeatmap* map, int size,
                             float opacity = 0.5f);

/// A stored (compact) map brought back to the image's size by the same bilinear sampling, in
/// [0, 1] (divided by its maximum), for the viewer's heatmap layer.
std::vector<float> expandHeatmap(const StoredHeatmap& map, int width, int height);

} // namespace spinelens::eval
