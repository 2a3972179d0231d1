#include "data/SpinePhantom.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace spinelens::phantom {
namespace {

// A vertebral level along the head-feet axis: body height then disc height, repeating.
struct Level {
    bool inDisc;
    double depth; ///< 0 at the level's centre, 1 at its edge
    int index;    ///< which body/disc pair, counted from s = 0
};

Level levelAt(double s, double bodyHeight, double discHeight) {
    const double period = bodyHeight + discHeight;
    const int index = int(std::floor(s / period));
    double t = s - index * period;
    if (t < bodyHeight)
        return {false, std::abs(t - bodyHeight / 2) / (bodyHeight / 2), index};
    return {true, std::abs(t - bodyHeight - discHeight / 2) / (discHeight / 2), index};
}

void addNoise(Volume& v, double sigma, std::uint64_t seed, float lo, float hi) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n(0.0f, float(sigma));
    for (float& x : v.voxels)
        x = std::clamp(std::round(x + (sigma > 0 ? n(rng) : 0.0f)), lo, hi);
}

// A volume of the given size with square pixels, known spacing and direction.
Volume emptyVolume(int columns, int rows, int slices, double pixelSpacing, double sliceSpacing,
                   const std::array<double, 9>& direction) {
    Volume v;
    v.width = columns;
    v.height = rows;
    v.depth = slices;
    v.geometry.spacing = {pixelSpacing, pixelSpacing, sliceSpacing};
    v.geometry.direction = direction;
    v.geometry.directionKnown = true;
    v.geometry.spacingKnown = true;
    v.voxels.resize(v.sliceSize() * std::size_t(slices));
    return v;
}

// Lumbar proportions in mm: body height, disc height, body depth (anterior -> posterior).
constexpr double kBodyHeight = 27.0, kDiscHeight = 9.0, kBodyDepth = 38.0;

double bodyFrontMm(const MriSpec& spec) {
    return 0.30 * spec.columns * spec.pixelSpacing + spec.apShift;
}

double degeneration(const MriSpec& spec, int discIndex) {
    for (std::size_t i = 0; i < spec.degenerativeDiscs.size(); ++i)
        if (spec.degenerativeDiscs[i] == discIndex)
            return i < spec.degenerationSeverity.size()
                       ? std::clamp(spec.degenerationSeverity[i], 0.0, 1.0)
                       : 1.0;
    return 0.0;
}

} // namespace

Volume makeSagittalMri(const MriSpec& spec) {
    // Columns run anterior -> posterior (+y in LPS), rows head -> feet (-z); the normal
    // (row x column) then points to the patient's right (-x).
    Volume v = emptyVolume(spec.columns, spec.rows, spec.slices, spec.pixelSpacing,
                           spec.sliceSpacing, {0, 1, 0, 0, 0, -1, -1, 0, 0});
    Geometry& g = v.geometry;
    const double halfLateral = (spec.slices - 1) * spec.sliceSpacing / 2.0;
    g.origin = {halfLateral, -spec.columns * spec.pixelSpacing / 2.0,
                spec.rows * spec.pixelSpacing / 2.0};

    const double fovX = spec.columns * spec.pixelSpacing, fovY = spec.rows * spec.pixelSpacing;
    const double bodyFront = bodyFrontMm(spec),
                 bodyBack = bodyFront + kBodyDepth; // vertebral body AP extent
    const double canalBack = bodyBack + 16.0;
    for (int k = 0; k < v.depth; ++k) {
        const double lateral = std::abs(-halfLateral + k * spec.sliceSpacing); // mm off midline
        const double bodyHalfWidth = 24.0, canalHalfWidth = 10.0;
        for (int j = 0; j < v.height; ++j) {
            const double y = j * spec.pixelSpacing; // mm from the top
            // A gentle lordosis: the spine bows anteriorly in the middle of the field.
            const double bow = spec.lordosis * std::sin(M_PI * y / fovY);
            const Level level = levelAt(y + spec.discPhase, kBodyHeight, kDiscHeight);
            const double severity = level.inDisc ? degeneration(spec, level.index) : 0.0;
            const bool degenerate = severity > 0.0;
            float* row = v.slice(k) + std::size_t(j) * v.width;
            for (int i = 0; i < v.width; ++i) {
                const double x = i * spec.pixelSpacing - bow;
                double value = 0.0;
                // Body outline: an ellipse of soft tissue with fat.
                const double ex = (i * spec.pixelSpacing - fovX * 0.5) / (fovX * 0.46);
                if (ex * ex < 1.0)
                    value = 380.0 + 60.0 * std::cos(3.0 * ex);
                const bool inBodyAp = x > bodyFront && x < bodyBack && lateral < bodyHalfWidth;
                if (inBodyAp) {
                    if (level.inDisc && level.depth > 1.0 - 0.45 * severity) {
                        value = 120.0; // collapsed disc: the endplates close in
                    } else if (level.inDisc) {
                        // Bright nucleus, darker annulus; a degenerated nucleus loses its water.
                        const double r = std::abs(x - (bodyFront + bodyBack) / 2) / 19.0;
                        const double nucleus =
                            spec.healthyNucleus + (480.0 - spec.healthyNucleus) * severity;
                        value = (r < 0.6 && level.depth < 0.7) ? nucleus : 650.0;
                    } else {
                        const bool rim =
                            level.depth > 0.88 || x < bodyFront + 2.0 || x > bodyBack - 2.0;
                        value = rim ? 120.0 : 520.0;
                    }
                } else if (degenerate && level.depth < 0.55 && x >= bodyBack &&
                           x < bodyBack + 7.0 * severity && lateral < bodyHalfWidth) {
                    value = 600.0; // posterior bulge into the canal
                } else if (x >= bodyBack && x < canalBack && lateral < canalHalfWidth) {
                    const double cx = std::abs(x - (bodyBack + canalBack) / 2);
                    value = (cx < 3.5 && y < fovY * 0.55) ? 700.0 : 1500.0; // cord in CSF
                } else if (x >= canalBack && x < canalBack + 30.0 && lateral < 18.0 &&
                           !level.inDisc) {
                    value = 300.0; // posterior elements
                }
                row[i] = float(value * spec.gain);
            }
        }
    }
    addNoise(v, spec.noise, spec.seed, 0.0f, 4095.0f);
    return v;
}

int discIndexAt(const MriSpec& spec, int row) {
    const Level level = levelAt(row * spec.pixelSpacing + spec.discPhase, kBodyHeight, kDiscHeight);
    return level.inDisc ? level.index : -1;
}

std::pair<double, int> discCentre(const MriSpec& spec, int discIndex) {
    int first = -1, last = -1;
    for (int j = 0; j < spec.rows; ++j)
        if (discIndexAt(spec, j) == discIndex) {
            first = first < 0 ? j : first;
            last = j;
        }
    if (first < 0)
        return {0.0, -1};
    const int row = (first + last) / 2;
    const double y = row * spec.pixelSpacing;
    const double bow = spec.lordosis * std::sin(M_PI * y / (spec.rows * spec.pixelSpacing));
    return {(bodyFrontMm(spec) + kBodyDepth / 2 + bow) / spec.pixelSpacing, row};
}

Volume makeAxialCt(const CtSpec& spec) {
    Volume v = emptyVolume(spec.columns, spec.rows, spec.slices, spec.pixelSpacing,
                           spec.sliceSpacing, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    Geometry& g = v.geometry;
    g.origin = {-spec.columns * spec.pixelSpacing / 2, -spec.rows * spec.pixelSpacing / 2,
                -spec.slices * spec.sliceSpacing};
    const double cx = spec.columns / 2.0, cy = spec.rows / 2.0;
    const double body = 0.42 * spec.columns, vert = 0.07 * spec.columns;
    const double vy = cy + 0.12 * spec.rows, canalY = vy + vert * 1.6;
    for (int k = 0; k < v.depth; ++k) {
        const Level level = levelAt(k * spec.sliceSpacing, 27.0, 9.0);
        for (int j = 0; j < v.height; ++j) {
            float* row = v.slice(k) + std::size_t(j) * v.width;
            for (int i = 0; i < v.width; ++i) {
                const double dx = i - cx, dy = j - cy;
                double hu = -1000.0;
                if ((dx * dx) / (body * body) + (dy * dy) / (body * body * 0.55) < 1.0)
                    hu = 40.0 + 20.0 * std::sin(0.05 * i);
                const double r = std::hypot(i - cx, j - vy);
                if (r < vert)
                    hu = level.inDisc ? 80.0 : (r > vert - 3.0 ? 1200.0 : 250.0);
                const double rc = std::hypot(i - cx, j - canalY);
                if (rc < vert * 0.55)
                    hu = 10.0;
                else if (rc < vert * 0.8 && !level.inDisc)
                    hu = 900.0; // posterior arch
                row[i] = float(hu);
            }
        }
    }
    addNoise(v, 8.0, spec.seed, -1024.0f, 3071.0f);
    return v;
}

Volume makeLateralXray(int width, int height, std::uint64_t seed) {
    Volume v;
    v.width = width;
    v.height = height;
    v.depth = 1;
    v.voxels.assign(std::size_t(width) * height, 0.0f);
    const double sx = width / 300.0, sy = height / 300.0;
    for (int j = 0; j < height; ++j) {
        const double y = j / sy;
        const Level level = levelAt(y + 10.0, 42.0, 14.0);
        const double bow = 12.0 * std::sin(M_PI * y / 300.0);
        for (int i = 0; i < width; ++i) {
            const double x = i / sx - bow;
            double value =
                40.0 + 50.0 * std::exp(-std::pow((x - 150.0) / 110.0, 2.0)); // soft tissue
            if (x > 105 && x < 175) {
                if (!level.inDisc)
                    value = (level.depth > 0.85 || x < 109 || x > 171) ? 235.0 : 170.0;
                else
                    value = 95.0;
            } else if (x > 190 && x < 225 && !level.inDisc) {
                value = 140.0; // pedicles and facets
            }
            v.voxels[std::size_t(j) * width + i] = float(value);
        }
    }
    addNoise(v, 6.0, seed, 0.0f, 255.0f);
    return v;
}

} // namespace spinelens::phantom
