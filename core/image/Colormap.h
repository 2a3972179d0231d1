#pragma once
// The heatmap colour scale (a perceptually ordered blue -> cyan -> green -> yellow -> red
// ramp, like "jet" without its dark ends), and blending it over a grey image. Shared by the CLI
// and the viewer so a PNG export looks like the screen.
#include <array>
#include <cstdint>

namespace spinelens {

/// RGB for v in [0, 1] (clamped).
std::array<std::uint8_t, 3> heatColor(float v);

/// How opaque the heat colour is at v: 0 below 0.15 (weak evidence leaves the image clear),
/// rising linearly to 1 at v = 1.
float heatAlpha(float v);

/// Blends heat over grey: alpha = opacity * heatAlpha(v).
std::array<std::uint8_t, 3> blendHeat(std::uint8_t grey, float v, float opacity);

} // namespace spinelens
