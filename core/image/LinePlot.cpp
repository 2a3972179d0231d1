#include "image/LinePlot.h"

#include "image/BitmapFont.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace spinelens::plot {
namespace {

using Colour = std::array<std::uint8_t, 3>;
constexpr Colour kBlack{0, 0, 0}, kGrid{225, 225, 225}, kAxis{90, 90, 90};

struct Canvas {
    RgbImage& img;
    int left; ///< panel offset

    void set(int x, int y, const Colour& c) {
        x += left;
        if (x < 0 || y < 0 || x >= img.width || y >= img.height)
            return;
        std::uint8_t* p = &img.rgb[(std::size_t(y) * img.width + x) * 3];
        p[0] = c[0];
        p[1] = c[1];
        p[2] = c[2];
    }
    void text(int x, int y, const std::string& s, const Colour& c) {
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int gy = 0; gy < font::kGlyphHeight; ++gy)
                for (int gx = 0; gx < font::kGlyphWidth; ++gx)
                    if (font::inked(s[i], gx, gy))
                        set(x + int(i) * font::kGlyphWidth + gx, y + gy, c);
    }
    // Text turned 90 degrees anticlockwise, reading bottom to top, starting at (x, y).
    void textUp(int x, int y, const std::string& s, const Colour& c) {
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int gy = 0; gy < font::kGlyphHeight; ++gy)
                for (int gx = 0; gx < font::kGlyphWidth; ++gx)
                    if (font::inked(s[i], gx, gy))
                        set(x + gy, y - int(i) * font::kGlyphWidth - gx, c);
    }
    void line(double x0, double y0, double x1, double y1, const Colour& c, int thickness) {
        const int steps = int(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0)))) + 1;
        for (int k = 0; k <= steps; ++k) {
            const double t = double(k) / steps;
            const int x = int(std::lround(x0 + (x1 - x0) * t)),
                      y = int(std::lround(y0 + (y1 - y0) * t));
            for (int dy = -(thickness / 2); dy <= (thickness - 1) / 2; ++dy)
                for (int dx = -(thickness / 2); dx <= (thickness - 1) / 2; ++dx)
                    set(x + dx, y + dy, c);
        }
    }
};

std::string format(double v, double step) {
    char buf[32];
    const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), v);
    return buf;
}

void drawChart(Canvas& c, const Chart& chart, int width, int height) {
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const Series& s : chart.series)
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
                xLo = std::min(xLo, s.x[i]);
                xHi = std::max(xHi, s.x[i]);
                yLo = std::min(yLo, s.y[i]);
                yHi = std::max(yHi, s.y[i]);
            }
    if (!std::isfinite(xLo)) {
        xLo = 0;
        xHi = 1;
        yLo = 0;
        yHi = 1;
    }
    if (chart.fixedY) {
        yLo = chart.yMin;
        yHi = chart.yMax;
    }
    if (xHi - xLo < 1e-12)
        xHi = xLo + 1;
    if (yHi - yLo < 1e-12) {
        yLo -= 0.5;
        yHi += 0.5;
    }
    const std::vector<double> yt = ticks(yLo, yHi, 5), xt = ticks(xLo, xHi, 8);
    if (!chart.fixedY && yt.size() >= 2) {
        yLo = std::min(yLo, yt.front());
        yHi = std::max(yHi, yt.back());
    }
    const int left = 62, right = width - 16, top = 30, bottom = height - 44;
    auto px = [&](double x) { return left + (x - xLo) / (xHi - xLo) * (right - left); };
    auto py = [&](double y) { return bottom - (y - yLo) / (yHi - yLo) * (bottom - top); };

    const double yStep = yt.size() >= 2 ? yt[1] - yt[0] : 1.0;
    for (double t : yt) {
        if (t < yLo - 1e-9 || t > yHi + 1e-9)
            continue;
        c.line(left, py(t), right, py(t), kGrid, 1);
        const std::string label = format(t, yStep);
        c.text(left - 6 - int(label.size()) * font::kGlyphWidth, int(py(t)) - 6, label, kAxis);
    }
    const double xStep = xt.size() >= 2 ? xt[1] - xt[0] : 1.0;
    for (double t : xt) {
        if (t < xLo - 1e-9 || t > xHi + 1e-9)
            continue;
        c.line(px(t), top, px(t), bottom, kGrid, 1);
        const std::string label = format(t, xStep);
        c.text(int(px(t)) - int(label.size()) * font::kGlyphWidth / 2, bottom + 5, label, kAxis);
    }
    c.line(left, top, left, bottom, kAxis, 1);
    c.line(left, bottom, right, bottom, kAxis, 1);
    c.text((left + right) / 2 - int(chart.title.size()) * font::kGlyphWidth / 2, 8, chart.title,
           kBlack);
    c.text((left + right) / 2 - int(chart.xLabel.size()) * font::kGlyphWidth / 2, height - 20,
           chart.xLabel, kBlack);
    c.textUp(6, (top + bottom) / 2 + int(chart.yLabel.size()) * font::kGlyphWidth / 2, chart.yLabel,
             kBlack);

    int legendY = chart.legendAtBottom
                      ? bottom - 6 - int(chart.series.size()) * (font::kGlyphHeight + 4)
                      : top + 6;
    for (const Series& s : chart.series) {
        bool havePrevious = false;
        double lastX = 0, lastY = 0;
        for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
                havePrevious = false;
                continue;
            }
            const double x = px(s.x[i]), y = py(std::clamp(s.y[i], yLo, yHi));
            if (havePrevious)
                c.line(lastX, lastY, x, y, s.colour, 2);
            for (int d = -2; d <= 2; ++d)
                c.line(x - 2, y + d, x + 2, y + d, s.colour, 1); // point marker
            havePrevious = true;
            lastX = x;
            lastY = y;
        }
        const int legendX = right - 8 - int(s.name.size()) * font::kGlyphWidth - 26;
        c.line(legendX, legendY + 6, legendX + 20, legendY + 6, s.colour, 3);
        c.text(legendX + 26, legendY, s.name, kBlack);
        legendY += font::kGlyphHeight + 4;
    }
}

} // namespace

std::vector<double> ticks(double lo, double hi, int wanted) {
    std::vector<double> out;
    if (!(hi > lo) || wanted < 1 || !std::isfinite(lo) || !std::isfinite(hi))
        return out;
    const double raw = (hi - lo) / wanted;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = power;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * power >= raw) {
            step = m * power;
            break;
        }
    for (double t = std::floor(lo / step) * step; t <= hi + step * 0.999; t += step)
        out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return out;
}

RgbImage render(const std::vector<Chart>& charts, int panelWidth, int height) {
    RgbImage img;
    img.width = panelWidth * int(std::max<std::size_t>(1, charts.size()));
    img.height = height;
    img.rgb.assign(std::size_t(img.width) * height * 3, 255);
    for (std::size_t i = 0; i < charts.size(); ++i) {
        Canvas c{img, int(i) * panelWidth};
        drawChart(c, charts[i], panelWidth, height);
    }
    return img;
}

} // namespace spinelens::plot
