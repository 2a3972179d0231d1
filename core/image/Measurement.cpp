#include "image/Measurement.h"

#include <cmath>
#include <cstdio>

namespace spinelens {

std::string Measurement::label() const {
    char buf[64];
    if (kind == Kind::Angle)
        std::snprintf(buf, sizeof buf, "%.1f°", value);
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", value, unit.c_str());
    return buf;
}

Measurement measureDistance(Point2 a, Point2 b, bool spacingKnown) {
    Measurement m;
    m.kind = Measurement::Kind::Distance;
    m.points = {a, b, b};
    m.value = std::hypot(b[0] - a[0], b[1] - a[1]);
    m.unit = spacingKnown ? "mm" : "px";
    return m;
}

Measurement measureAngle(Point2 a, Point2 vertex, Point2 c) {
    Measurement m;
    m.kind = Measurement::Kind::Angle;
    m.points = {a, vertex, c};
    const double ux = a[0] - vertex[0], uy = a[1] - vertex[1];
    const double vx = c[0] - vertex[0], vy = c[1] - vertex[1];
    const double nu = std::hypot(ux, uy), nv = std::hypot(vx, vy);
    if (nu == 0.0 || nv == 0.0) {
        m.value = 0.0;
    } else {
        // atan2 of cross and dot stays accurate near 0 and 180 degrees, unlike acos.
        m.value = std::atan2(std::abs(ux * vy - uy * vx), ux * vx + uy * vy) * 180.0 / M_PI;
    }
    m.unit = "°";
    return m;
}

} // namespace spinelens
