#include "image/Orientation.h"

#include <algorithm>
#include <cmath>

namespace spinelens {

std::string orientationLetters(const Vec3& v) {
    const char positive[3] = {'L', 'P', 'H'};
    const char negative[3] = {'R', 'A', 'F'};
    int order[3] = {0, 1, 2};
    std::sort(order, order + 3, [&](int a, int b) {
        return std::abs(v[std::size_t(a)]) > std::abs(v[std::size_t(b)]);
    });
    std::string letters;
    for (int rank = 0; rank < 2; ++rank) {
        const double c = v[std::size_t(order[rank])];
        if (std::abs(c) < (rank == 0 ? 1e-6 : 0.3))
            break;
        letters += c > 0 ? positive[order[rank]] : negative[order[rank]];
    }
    return letters;
}

EdgeLetters edgeLetters(const Geometry& g) {
    if (!g.directionKnown)
        return {};
    const Vec3 r = g.rowDirection(), c = g.columnDirection();
    return {orientationLetters({-r[0], -r[1], -r[2]}), orientationLetters(r),
            orientationLetters({-c[0], -c[1], -c[2]}), orientationLetters(c)};
}

} // namespace spinelens
