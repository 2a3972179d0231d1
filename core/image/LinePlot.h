#pragma once
// Line charts rendered to RGB pixels in core, for reports written without a GUI (training
// curves). Axes with rounded tick values, labels in the built-in bitmap font, a legend.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::plot {

struct Series {
    std::string name;
    std::vector<double> x, y; ///< same length; non-finite points are skipped
    std::array<std::uint8_t, 3> colour{31, 119, 180};
};

struct Chart {
    std::string title, xLabel, yLabel;
    std::vector<Series> series;
    bool fixedY = false; ///< use yMin..yMax instead of the data's range
    double yMin = 0, yMax = 1;
    bool legendAtBottom = false; ///< for curves that rise towards the top right
};

struct RgbImage {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb; ///< height * width * 3
};

/// Draws the charts side by side, each panelWidth x height pixels.
RgbImage render(const std::vector<Chart>& charts, int panelWidth, int height);

/// "Nice" tick positions (steps of 1, 2 or 5 times a power of ten) covering lo..hi.
std::vector<double> ticks(double lo, double hi, int wanted);

} // namespace spinelens::plot
