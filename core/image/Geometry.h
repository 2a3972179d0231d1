#pragma once
// Where pixels sit in patient space (DICOM LPS, millimetres). Column i, row j, slice k maps to
// origin + i*spacing[0]*rowDir + j*spacing[1]*colDir + k*spacing[2]*normal.
#include <array>

namespace spinelens {

using Vec3 = std::array<double, 3>;

struct Geometry {
    Vec3 spacing{1.0, 1.0, 1.0};
    Vec3 origin{0.0, 0.0, 0.0};
    /// Row-major 3x3: first row = direction of increasing column index (DICOM "row
    /// direction"), second = increasing row index, third = slice normal.
    std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1};
    /// False for images with no Image Orientation (X-ray PNGs, most radiographs): the
    /// viewer then shows no orientation letters rather than guessing.
    bool directionKnown = false;
    /// False when no pixel spacing was in the file: measurements are then in pixels.
    bool spacingKnown = false;

    Vec3 rowDirection() const { return {direction[0], direction[1], direction[2]}; }
    Vec3 columnDirection() const { return {direction[3], direction[4], direction[5]}; }
    Vec3 normal() const { return {direction[6], direction[7], direction[8]}; }
};

inline double dot(const Vec3& a, const Vec3& b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
inline Vec3 cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

} // namespace spinelens
