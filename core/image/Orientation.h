#pragma once
// Patient-orientation letters for the edges of a 2D view (DICOM LPS: L/R, P/A, H/F).
#include "image/Geometry.h"

#include <string>

namespace spinelens {

/// Letters for the direction v points to, dominant axis first; an oblique direction gets two
/// letters (e.g. "LP") when its second component is over 0.3. Empty for a zero vector.
std::string orientationLetters(const Vec3& v);

struct EdgeLetters {
    std::string left, right, top, bottom;
};

/// For an image shown with columns increasing to the right and rows downward.
EdgeLetters edgeLetters(const Geometry& g);

} // namespace spinelens
