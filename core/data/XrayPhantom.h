#pragma once
// Synthetic spine radiographs for the X-ray study's four classes: vertebral bodies with
// cortical rims, discs, posterior elements and foramina; osteophytes as bony spurs at body
// corners; foraminal stenosis as narrowed foramina with lower discs; implants as saturated
// pedicle screws and rods. Region, view, position, scale, rotation, contrast, noise and blur
// vary with the seed so the task is learnable but not trivial. Not patient data.
#include "image/Volume.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::phantom {

enum class XrayClass { ForaminalStenosis = 0, Osteophyte = 1, SurgicalImplant = 2, Normal = 3 };

/// The study's class names, in the order the 4-class models output them.
const std::vector<std::string>& xrayClassNames();

struct XrayVariation {
    std::string region; ///< "cervical", "thoracic", "lumbar"
    std::string view;   ///< "lateral", "ap", "oblique"
    double rotationDegrees = 0, scale = 1, shiftX = 0, shiftY = 0;
    double contrast = 1, noise = 0, blur = 0;
    int affectedLevels = 0; ///< levels showing the class finding (0 for normal)
};

struct XrayPhantom {
    Volume image; ///< size x size x 1, values 0..255
    XrayClass cls = XrayClass::Normal;
    XrayVariation variation;
};

/// Deterministic for (cls, seed).
XrayPhantom makeXrayPhantom(XrayClass cls, std::uint64_t seed, int size = 300);

} // namespace spinelens::phantom
