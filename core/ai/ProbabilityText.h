#pragma once
// How a probability is written for people, everywhere it appears (panel, browser, reports):
// one decimal of a percent, and never "100.0%" or "0.0%" for what a model computed. A
// softmax output is never certain; 0.99996 printed as "100.0%" reads as certainty.
#include <cstdio>
#include <string>

namespace spinelens::ai {

/// "97.3%", "> 99.9%" for p >= 0.9995, "< 0.1%" for p < 0.0005.
inline std::string probabilityText(double p) {
    if (p >= 0.9995)
        return "> 99.9%";
    if (p < 0.0005)
        return "< 0.1%";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f%%", p * 100.0);
    return buf;
}

} // namespace spinelens::ai
