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

VoiFunction voiFunctionFromName(const std::string& name) {
    if (name == "SIGMOID")
        return VoiFunction::Sigmoid;
    if (name == "LINEAR_EXACT")
        return VoiFunction::LinearExact;
    return VoiFunction::Linear;
}

namespace {
std::uint8_t toGrey(double y, bool invert) {
    const auto v = std::uint8_t(y > 0 ? std::lround(std::min(y, 255.0)) : 0); // NaN: black
    return invert ? std::uint8_t(255 - v) : v;
}
} // namespace

void applyWindow(const float* values, std::size_t count, const Window& window, bool invert,
                 std::uint8_t* out) {
    applyVoiFunction(values, count, window, VoiFunction::Linear, invert, out);
}

void applyVoiFunction(const float* values, std::size_t count, const Window& window,
                      VoiFunction function, bool invert, std::uint8_t* out) {
    if (function == VoiFunction::Sigmoid) {
        // y = 255 / (1 + exp(-4 (x - c) / w)), C.11.2.1.3.1
        const double w = window.width > 0 ? window.width : 1.0;
        for (std::size_t i = 0; i < count; ++i)
            out[i] = toGrey(
                255.0 / (1.0 + std::exp(-4.0 * (double(values[i]) - window.center) / w)), invert);
        return;
    }
    // LINEAR (C.11.2.1.2.1) works on c - 0.5 and w - 1; LINEAR_EXACT (C.11.2.1.3.2) on c, w.
    const bool exact = function == VoiFunction::LinearExact;
    const double c = exact ? window.center : window.center - 0.5;
    const double w = exact ? std::max(1e-9, window.width) : std::max(1.0, window.width) - 1.0;
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
        out[i] = toGrey(y, invert);
    }
}

void applyVoiLut(const float* values, std::size_t count, const VoiLut& lut, bool invert,
                 std::uint8_t* out) {
    if (lut.data.empty()) {
        std::fill(out, out + count, invert ? std::uint8_t(255) : std::uint8_t(0));
        return;
    }
    const double top = std::ldexp(1.0, std::clamp(lut.bits, 1, 16)) - 1.0;
    const double last = double(lut.data.size() - 1);
    for (std::size_t i = 0; i < count; ++i) {
        const double x = values[i];
        const double k =
            std::isfinite(x) ? std::clamp(std::round(x - lut.firstMapped), 0.0, last) : 0.0;
        out[i] = toGrey(lut.data[std::size_t(k)] * 255.0 / top, invert);
    }
}

void applyFileVoi(const float* values, std::size_t count, const DisplayDefaults& display,
                  const Window& fallback, std::uint8_t* out) {
    if (display.hasLut())
        applyVoiLut(values, count, *display.lut, display.invert, out);
    else if (display.hasWindow)
        applyVoiFunction(values, count, {display.windowCenter, display.windowWidth},
                         display.function, display.invert, out);
    else
        applyWindow(values, count, fallback, display.invert, out);
}

void applyDefaultVoi(const float* values, std::size_t count, const DisplayDefaults& display,
                     std::uint8_t* out) {
    applyFileVoi(values, count, display,
                 display.hasVoi() ? Window{0.0, 1.0} : autoWindow(values, count), out);
}

void modelGrey8(const float* values, std::size_t count, const DisplayDefaults& display,
                std::uint8_t* out) {
    if (display.raster) {
        const double scale = display.bitsStored > 8 ? 255.0 / 65535.0 : 1.0;
        for (std::size_t i = 0; i < count; ++i)
            out[i] = toGrey(double(values[i]) * scale, false);
        return;
    }
    if (!display.hasVoi() && display.bitsStored > 0 && display.bitsStored <= 8) {
        const double scale = 255.0 / (std::ldexp(1.0, display.bitsStored) - 1.0);
        for (std::size_t i = 0; i < count; ++i)
            out[i] = toGrey(double(values[i]) * scale, display.invert);
        return;
    }
    // DCMTK's min-max window: centre and width chosen so that the linear function maps the
    // minimum to 0 and the maximum to 255.
    Window minMax{0.0, 1.0};
    if (count > 0) {
        const auto [lo, hi] = std::minmax_element(values, values + count);
        minMax.width = std::max(1.0, double(*hi) - double(*lo) + 1.0);
        minMax.center = double(*lo) + (minMax.width - 1.0) / 2.0 + 0.5;
    }
    applyFileVoi(values, count, display, minMax, out);
}

} // namespace spinelens
