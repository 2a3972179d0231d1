#include "eval/CasePreview.h"

#include "image/Colormap.h"
#include "image/WindowLevel.h"

#include <algorithm>
#include <cmath>

namespace spinelens::eval {
namespace {

// Bilinear sample of a w x h grid at continuous (x, y) in grid pixel units (centres at +0.5).
float sampleBilinear(const std::vector<float>& grid, int w, int h, double x, double y) {
    x = std::clamp(x - 0.5, 0.0, double(w - 1));
    y = std::clamp(y - 0.5, 0.0, double(h - 1));
    const int x0 = int(x), y0 = int(y);
    const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const double fx = x - x0, fy = y - y0;
    auto at = [&](int xx, int yy) { return double(grid[std::size_t(yy) * w + xx]); };
    return float((at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) +
                 (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy);
}

} // namespace

RgbPreview renderCasePreview(const CaseImage& image, const StoredHeatmap* map, int size,
                             float opacity) {
    RgbPreview out;
    if (image.width <= 0 || image.height <= 0 || size <= 0)
        return out;
    const double scale = double(size) / std::max(image.width, image.height);
    out.width = std::max(1, int(std::lround(image.width * scale)));
    out.height = std::max(1, int(std::lround(image.height * scale)));
    out.rgb.resize(std::size_t(out.width) * out.height * 3);

    // The file's own presentation (VOI, MONOCHROME1), as the viewer first shows it.
    std::vector<std::uint8_t> grey8(image.pixels.size());
    applyDefaultVoi(image.pixels.data(), image.pixels.size(), image.display, grey8.data());
    const std::vector<float> heat = map ? map->asFloat() : std::vector<float>();
    const float heatScale = map && map->maximum > 0 ? 1.0f / map->maximum : 0.0f;

    for (int y = 0; y < out.height; ++y)
        for (int x = 0; x < out.width; ++x) {
            // Box average of the source pixels under this preview pixel.
            const int sx0 = int(x / scale), sy0 = int(y / scale);
            const int sx1 = std::max(sx0 + 1, std::min(image.width, int((x + 1) / scale)));
            const int sy1 = std::max(sy0 + 1, std::min(image.height, int((y + 1) / scale)));
            double sum = 0;
            int n = 0;
            for (int yy = sy0; yy < std::min(sy1, image.height); ++yy)
                for (int xx = sx0; xx < std::min(sx1, image.width); ++xx) {
                    sum += grey8[std::size_t(yy) * image.width + xx];
                    ++n;
                }
            const auto grey = std::uint8_t(n ? std::lround(sum / n) : 0);
            std::array<std::uint8_t, 3> c{grey, grey, grey};
            if (!heat.empty()) {
                const float h = sampleBilinear(heat, map->width, map->height,
                                               (x + 0.5) / out.width * map->width,
                                               (y + 0.5) / out.height * map->height);
                c = blendHeat(grey, h * heatScale, opacity);
            }
            std::copy(c.begin(), c.end(), out.rgb.begin() + (std::size_t(y) * out.width + x) * 3);
        }
    return out;
}

std::vector<float> expandHeatmap(const StoredHeatmap& map, int width, int height) {
    std::vector<float> out;
    if (width <= 0 || height <= 0 || map.width <= 0 || map.height <= 0 ||
        map.values.size() != std::size_t(map.width) * map.height)
        return out;
    out.resize(std::size_t(width) * height);
    const std::vector<float> heat = map.asFloat();
    const float scale = map.maximum > 0 ? 1.0f / map.maximum : 0.0f;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            out[std::size_t(y) * width + x] = std::clamp(
                sampleBilinear(heat, map.width, map.height, (x + 0.5) / width * map.width,
                               (y + 0.5) / height * map.height) *
                    scale,
                0.0f, 1.0f);
    return out;
}

} // namespace spinelens::eval
