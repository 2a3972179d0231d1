#include "ai/Preprocessor.h"

#include "Error.h"

#include <algorithm>
#include <cmath>

namespace spinelens::ai {

void resizeBilinear(const float* in, int inW, int inH, float* out, int outW, int outH) {
    const double sx = double(inW) / outW, sy = double(inH) / outH;
    for (int y = 0; y < outH; ++y) {
        const double fy = std::max(0.0, (y + 0.5) * sy - 0.5);
        const int y0 = std::min(int(fy), inH - 1);
        const int y1 = std::min(y0 + 1, inH - 1);
        const float ly = float(fy - y0);
        for (int x = 0; x < outW; ++x) {
            const double fx = std::max(0.0, (x + 0.5) * sx - 0.5);
            const int x0 = std::min(int(fx), inW - 1);
            const int x1 = std::min(x0 + 1, inW - 1);
            const float lx = float(fx - x0);
            const float top =
                (1 - lx) * in[std::size_t(y0) * inW + x0] + lx * in[std::size_t(y0) * inW + x1];
            const float bottom =
                (1 - lx) * in[std::size_t(y1) * inW + x0] + lx * in[std::size_t(y1) * inW + x1];
            out[std::size_t(y) * outW + x] = (1 - ly) * top + ly * bottom;
        }
    }
}

Preprocessor::Preprocessor(const ModelCard& card) : card_(card) {}

std::vector<float> Preprocessor::operator()(const float* values, int width, int height,
                                            const DisplayDefaults* display) const {
    if (width < 2 || height < 2)
        throw Error("image too small for a model (" + std::to_string(width) + " x " +
                        std::to_string(height) + " pixels)",
                    card_.name);
    const std::size_t n = std::size_t(width) * height;
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(values[i]))
            throw Error("image contains NaN or infinite values; the model cannot take it",
                        card_.name);
    const std::string& mode = card_.preprocessing.intensity;
    std::vector<float> presented;
    const float* grey = values;
    if (mode == "divide255" && display) {
        std::vector<std::uint8_t> grey8(n);
        modelGrey8(values, n, *display, grey8.data());
        presented.assign(grey8.begin(), grey8.end());
        grey = presented.data();
    }
    double lo = grey[0], hi = grey[0], sum = 0, sumSq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = grey[i];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
        sumSq += v * v;
    }
    // Intensity first, on the full-resolution slice, then resize: the MRI study's order.
    double scale = 1.0, offset = 0.0;
    if (mode == "minmax") {
        scale = hi > lo ? 1.0 / (hi - lo) : 0.0; // a flat slice becomes all zeros
        offset = -lo * scale;
    } else if (mode == "divide255") {
        scale = 1.0 / 255.0;
    } else if (mode == "zscore") {
        const double mean = sum / double(n);
        const double sd = std::sqrt(std::max(0.0, sumSq / double(n) - mean * mean));
        scale = sd > 0 ? 1.0 / sd : 0.0;
        offset = -mean * scale;
    }
    std::vector<float> scaled(n);
    for (std::size_t i = 0; i < n; ++i)
        scaled[i] = float(grey[i] * scale + offset);

    const std::size_t plane = std::size_t(card_.width) * card_.height;
    std::vector<float> out(plane * std::size_t(card_.channels));
    resizeBilinear(scaled.data(), width, height, out.data(), card_.width, card_.height);
    for (int c = 1; c < card_.channels; ++c)
        std::copy(out.begin(), out.begin() + std::ptrdiff_t(plane),
                  out.begin() + std::ptrdiff_t(plane * c));
    const auto& mean = card_.preprocessing.mean;
    const auto& sd = card_.preprocessing.std;
    if (!mean.empty())
        for (int c = 0; c < card_.channels; ++c)
            for (std::size_t i = 0; i < plane; ++i)
                out[plane * c + i] =
                    (out[plane * c + i] - mean[std::size_t(c)]) / sd[std::size_t(c)];
    return out;
}

} // namespace spinelens::ai
