#include "image/WindowLevel.h"

#include <algorithm>
#include <cmath>

namespace spinelens {

const std::vector<WindowPreset>& windowPresets() {
    static const std::vector<WindowPreset> presets = {
        {"CT bone", {400.0, 1800.0}, false},
        {"CT soft tissue", {40.0, 400.0}, false},
        {"CT lung", {-600.0, 1500.0}, false},
        {"Spine MR (auto)", {0.0, 1.0}, true},
    };
    return presets;
}

Window autoWindow(const float* values, std::size_t count) {
    // Sample at most ~256k values: enough for percentiles, cheap on 2000 x 3000 X-rays.
    const std::size_t step = std::max<std::size_t>(1, count / 262144);
    std::vector<float> sample;
    sample.reserve(count / step + 1);
    for (std::size_t i = 0; i < count; i += step)
        if (std::isfinite(values[i]))
            sample.push_back(values[i]);
    if (sample.empty())
        return {0.0, 1.0};
    auto percentile = [&](double p) {
        const std::size_t k =
            std::min(sample.size() - 1, std::size_t(p * double(sample.size() - 1)));
        std::nth_element(sample.begin(), sample.begin() + std::ptrdiff_t(k), sample.end());
        return double(sample[k]);
    };
    const double lo = percentile(0.01);
    const double hi = percentile(0.995);
    const double width = std::max(1.0, hi - lo);
    return {lo + width / 2.0, width};
}

void applyWindow(const float* values, std::size_t count, const Window& window, bool invert,
                 std::uint8_t* out) {
    const double c = window.center - 0.5;
    const double w = std::max(1.0, window.width) - 1.0;
    const double lo = c - w / 2.0, hi = c + w / 2.0;
    for (std::size_t i = 0; i < count; ++i) {
        const double x = values[i];
        double y;
        if (!(x > lo))
            y = 0.0;
        else if (x > hi)
            y = 255.0;
        else
            y = w > 0 ? ((x - c) / w + 0.5) * 255.0 : 255.0;
        const auto v = std::uint8_t(std::lround(std::clamp(y, 0.0, 255.0)));
        out[i] = invert ? std::uint8_t(255 - v) : v;
    }
}

} // namespace spinelens
