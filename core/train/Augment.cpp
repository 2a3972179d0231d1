#include "train/Augment.h"

#include <algorithm>
#include <cmath>

namespace spinelens::train {
namespace {

float sample(const float* plane, int w, int h, double x, double y, float outside) {
    if (x < -0.5 || y < -0.5 || x > w - 0.5 || y > h - 0.5)
        return outside;
    x = std::clamp(x, 0.0, double(w - 1));
    y = std::clamp(y, 0.0, double(h - 1));
    const int x0 = int(x), y0 = int(y), x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const float fx = float(x - x0), fy = float(y - y0);
    const float top = (1 - fx) * plane[y0 * w + x0] + fx * plane[y0 * w + x1];
    const float bottom = (1 - fx) * plane[y1 * w + x0] + fx * plane[y1 * w + x1];
    return (1 - fy) * top + fy * bottom;
}

} // namespace

void augment(std::vector<float>& input, int channels, int height, int width,
             const AugmentOptions& o, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    auto between = [&](double a, double b) { return a + (b - a) * uni(rng); };
    const std::size_t plane = std::size_t(width) * height;

    // One affine map for every channel: output pixel -> source pixel.
    const double angle = o.rotate ? between(-30.0, 30.0) * M_PI / 180.0 : 0.0;
    const double scale = o.zoom ? between(0.8, 1.2) : 1.0;
    const double shear = o.shear ? between(-0.2, 0.2) : 0.0;
    const double tx = o.shift ? between(-0.2, 0.2) * width : 0.0;
    const double ty = o.shift ? between(-0.2, 0.2) * height : 0.0;
    const bool flip = o.flip && uni(rng) < 0.5;
    const bool crop = o.cropResize && uni(rng) < 0.3;
    const double cropScale = crop ? between(0.8, 1.0) : 1.0;
    const double cropX = crop ? between(0.0, 1.0 - cropScale) * width : 0.0;
    const double cropY = crop ? between(0.0, 1.0 - cropScale) * height : 0.0;
    const double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
    const double ca = std::cos(angle), sa = std::sin(angle);
    const bool geometric =
        angle != 0.0 || scale != 1.0 || shear != 0.0 || tx != 0.0 || ty != 0.0 || flip || crop;

    // Decided once, so every channel of a replicated grey input stays identical.
    const bool pixelate = o.pixelate && uni(rng) < 0.2;
    const int block = pixelate ? std::uniform_int_distribution<int>(2, 4)(rng) : 1;
    const double noiseFraction = o.noise ? between(0.0, 0.05) : 0.0;
    std::vector<float> unitNoise;
    if (o.noise) {
        std::normal_distribution<float> normal(0.0f, 1.0f);
        unitNoise.resize(plane);
        for (float& v : unitNoise)
            v = normal(rng);
    }

    std::vector<float> src(plane);
    for (int c = 0; c < channels; ++c) {
        float* p = input.data() + plane * std::size_t(c);
        const float background = *std::min_element(p, p + plane);
        if (geometric) {
            std::copy(p, p + plane, src.begin());
            for (int y = 0; y < height; ++y)
                for (int x = 0; x < width; ++x) {
                    // Crop: the output shows a window of the (transformed) image.
                    double ox = crop ? cropX + x * cropScale : x,
                           oy = crop ? cropY + y * cropScale : y;
                    if (flip)
                        ox = width - 1 - ox;
                    const double dx = ox - cx - tx, dy = oy - cy - ty;
                    // Inverse of rotate * shear * zoom.
                    const double rx = (ca * dx + sa * dy) / scale,
                                 ry = (-sa * dx + ca * dy) / scale;
                    const double sx = rx - shear * ry;
                    p[std::size_t(y) * width + x] =
                        sample(src.data(), width, height, sx + cx, ry + cy, background);
                }
        }
        if (pixelate) {
            for (int by = 0; by < height; by += block)
                for (int bx = 0; bx < width; bx += block) {
                    double sum = 0;
                    int n = 0;
                    for (int y = by; y < std::min(height, by + block); ++y)
                        for (int x = bx; x < std::min(width, bx + block); ++x, ++n)
                            sum += p[std::size_t(y) * width + x];
                    for (int y = by; y < std::min(height, by + block); ++y)
                        for (int x = bx; x < std::min(width, bx + block); ++x)
                            p[std::size_t(y) * width + x] = float(sum / n);
                }
        }
        if (o.noise) {
            const auto [lo, hi] = std::minmax_element(p, p + plane);
            const float sigma = float(noiseFraction * (*hi - *lo));
            for (std::size_t i = 0; i < plane; ++i)
                p[i] += sigma * unitNoise[i];
        }
    }
}

} // namespace spinelens::train
