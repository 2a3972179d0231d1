#pragma once
// Distance and angle measurements in image space. Points are in millimetres on the slice
// plane when the pixel spacing is known, else in pixels; the unit travels with the result.
#include <array>
#include <string>

namespace spinelens {

using Point2 = std::array<double, 2>;

struct Measurement {
    enum class Kind { Distance, Angle } kind = Kind::Distance;
    std::array<Point2, 3> points{}; ///< distance uses 2, angle 3 (vertex in the middle)
    double value = 0.0;
    std::string unit; ///< "mm", "px" or "°"
    std::string label() const;
};

/// Euclidean distance; unit "mm" if spacingKnown else "px".
Measurement measureDistance(Point2 a, Point2 b, bool spacingKnown);
/// Angle at vertex between rays to a and c, in degrees [0, 180].
Measurement measureAngle(Point2 a, Point2 vertex, Point2 c);

} // namespace spinelens
