#include "image/Colormap.h"

#include <algorithm>
#include <cmath>

namespace spinelens {

std::array<std::uint8_t, 3> heatColor(float v) {
    v = std::clamp(v, 0.0f, 1.0f);
    // Piecewise-linear stops.
    static const float stops[5][3] = {{0.10f, 0.20f, 0.90f},
                                      {0.05f, 0.80f, 0.95f},
                                      {0.20f, 0.85f, 0.25f},
                                      {0.98f, 0.90f, 0.10f},
                                      {0.90f, 0.10f, 0.05f}};
    const float x = v * 4.0f;
    const int i = std::min(3, int(x));
    const float t = x - float(i);
    std::array<std::uint8_t, 3> rgb{};
    for (int c = 0; c < 3; ++c)
        rgb[std::size_t(c)] =
            std::uint8_t(std::lround(255.0f * ((1 - t) * stops[i][c] + t * stops[i + 1][c])));
    return rgb;
}

float heatAlpha(float v) {
    return std::clamp((v - 0.15f) / 0.85f, 0.0f, 1.0f);
}

std::array<std::uint8_t, 3> blendHeat(std::uint8_t grey, float v, float opacity) {
    const float a = std::clamp(opacity * heatAlpha(v), 0.0f, 1.0f);
    const auto heat = heatColor(v);
    std::array<std::uint8_t, 3> out{};
    for (std::size_t c = 0; c < 3; ++c)
        out[c] = std::uint8_t(std::lround((1 - a) * grey + a * heat[c]));
    return out;
}

} // namespace spinelens
