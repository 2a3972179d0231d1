#include "data/XrayPhantom.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace spinelens::phantom {
namespace {

struct Level {
    double centre; ///< along the spine axis (mm-like units in the spine frame)
    double bodyHeight;
    double discBelow; ///< disc height below this body
    bool finding;     ///< this level shows the class finding
};

// The spine frame: u runs head -> feet along the spine, v runs anterior -> posterior (lateral)
// or right -> left (AP). Density is accumulated in [0, 1+] and mapped to grey later.
struct Spine {
    XrayClass cls;
    std::string view;
    double bodyWidth;
    std::vector<Level> levels;
    double curve; ///< lordosis/kyphosis amplitude
};

double roundedBox(double u, double v, double halfU, double halfV, double radius) {
    // Signed distance to a rounded rectangle (negative inside).
    const double qu = std::abs(u) - halfU + radius, qv = std::abs(v) - halfV + radius;
    const double outside = std::hypot(std::max(qu, 0.0), std::max(qv, 0.0));
    return outside + std::min(std::max(qu, qv), 0.0) - radius;
}

double smoothInside(double signedDistance, double softness) {
    return std::clamp(0.5 - signedDistance / softness, 0.0, 1.0);
}

double density(const Spine& s, double u, double vRaw) {
    const double v = vRaw - s.curve * std::sin(u * 0.012);
    double d = 0.0;
    const bool lateral = s.view != "ap";
    const double w = s.bodyWidth * (s.view == "oblique" ? 0.8 : 1.0);
    for (const Level& L : s.levels) {
        const double du = u - L.centre;
        const double stenosis = (s.cls == XrayClass::ForaminalStenosis && L.finding) ? 1.0 : 0.0;
        // Vertebral body: cancellous interior with a denser cortical rim.
        const double sd = roundedBox(du, v, L.bodyHeight / 2, w / 2, 3.0);
        d += 0.45 * smoothInside(sd, 1.5) + 0.35 * std::exp(-std::pow(sd / 1.6, 2.0));
        // Disc below: soft tissue only (slightly denser than fat).
        const double discCentre = L.bodyHeight / 2 + L.discBelow / 2;
        d += 0.12 *
             smoothInside(roundedBox(du - discCentre, v, L.discBelow / 2, w / 2 * 0.95, 2.0), 1.5);
        if (lateral) {
            // Pedicle / facet column behind the body, and the foramen between levels.
            const double pv = v - (w / 2 + 0.35 * w);
            d += 0.30 * smoothInside(roundedBox(du, pv, L.bodyHeight * 0.32, 0.28 * w, 2.5), 1.5);
            d += 0.25 * smoothInside(roundedBox(du, v - (w / 2 + 0.95 * w), L.bodyHeight * 0.25,
                                                0.25 * w, 2.0),
                                     2.0);
            const double fu = du - discCentre, fv = v - (w / 2 + 0.28 * w);
            const double foramenHalfU = (L.bodyHeight * 0.42) * (1.0 - 0.65 * stenosis);
            const double foramenHalfV = 0.16 * w * (1.0 - 0.55 * stenosis);
            const double inFor = std::pow(fu / foramenHalfU, 2) + std::pow(fv / foramenHalfV, 2);
            if (inFor < 1.0)
                d -= 0.35 * (1.0 - inFor);
        } else {
            // AP: oval pedicles inside the body, spinous process in the midline.
            for (double side : {-1.0, 1.0}) {
                const double e = std::pow(du / (L.bodyHeight * 0.22), 2) +
                                 std::pow((v - side * w * 0.32) / (w * 0.1), 2);
                if (e < 1.0)
                    d += 0.22 * (1.0 - e);
            }
            const double sp = std::pow((du - L.bodyHeight * 0.25) / (L.bodyHeight * 0.3), 2) +
                              std::pow(v / (w * 0.07), 2);
            if (sp < 1.0)
                d += 0.2 * (1.0 - sp);
        }
        if (s.cls == XrayClass::Osteophyte && L.finding) {
            // Beak-like spurs at the anterior (lateral view) or both side (AP) corners of the
            // body, curving towards the neighbouring level.
            for (double side : {-1.0, 1.0}) {
                if (lateral && side > 0)
                    continue; // lateral view: anterior corners only
                for (double end : {-1.0, 1.0}) {
                    const double along = side * v - w / 2; // grows outwards from the body edge
                    const double length = 0.5 * w;
                    if (along > 0 && along < length) {
                        const double t = along / length;
                        const double halfThickness = 4.5 * (1.0 - t) + 1.0;
                        const double tip = end * (L.bodyHeight / 2 + 2.5 * t);
                        if (std::abs(du - tip + end * 1.5) < halfThickness)
                            d += 0.6;
                    }
                }
            }
        }
    }
    return d;
}

struct Segment {
    double u0, v0, u1, v1, halfWidth;
};

double implantDensity(const std::vector<Segment>& parts, double u, double v) {
    for (const Segment& s : parts) {
        const double du = s.u1 - s.u0, dv = s.v1 - s.v0;
        const double t =
            std::clamp(((u - s.u0) * du + (v - s.v0) * dv) / (du * du + dv * dv), 0.0, 1.0);
        if (std::hypot(u - (s.u0 + t * du), v - (s.v0 + t * dv)) < s.halfWidth)
            return 1.0;
    }
    return 0.0;
}

void boxBlur(VoxelBuffer& img, int size, int radius) {
    if (radius <= 0)
        return;
    VoxelBuffer tmp(img.size());
    for (int pass = 0; pass < 2; ++pass) {
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                double sum = 0;
                int n = 0;
                for (int k = -radius; k <= radius; ++k) {
                    const int xx = pass == 0 ? x + k : x, yy = pass == 0 ? y : y + k;
                    if (xx >= 0 && xx < size && yy >= 0 && yy < size) {
                        sum += img[std::size_t(yy) * size + xx];
                        ++n;
                    }
                }
                tmp[std::size_t(y) * size + x] = float(sum / n);
            }
        img.swap(tmp);
    }
}

} // namespace

const std::vector<std::string>& xrayClassNames() {
    static const std::vector<std::string> names = {"foraminal stenosis", "osteophyte",
                                                   "surgical implant", "normal"};
    return names;
}

namespace {

// One phantom's random draws, in a fixed order: each step below takes its numbers from here in
// turn, so a seed always gives the same image.
struct PhantomRng {
    explicit PhantomRng(std::uint64_t seed) : engine(seed) {}
    double between(double a, double b) { return a + (b - a) * uni(engine); }
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine); }

    std::mt19937_64 engine;
    std::uniform_real_distribution<double> uni{0.0, 1.0};
};

XrayVariation drawVariation(PhantomRng& rng, int size) {
    XrayVariation var;
    const char* regions[] = {"cervical", "thoracic", "lumbar"};
    const char* views[] = {"lateral", "ap", "oblique"};
    var.region = regions[rng.pick(0, 2)];
    var.view = views[rng.pick(0, 2)];
    var.rotationDegrees = rng.between(-12, 12);
    var.scale = rng.between(0.95, 1.3);
    var.shiftX = rng.between(-0.1, 0.1) * size;
    var.shiftY = rng.between(-0.08, 0.08) * size;
    var.contrast = rng.between(0.7, 1.25);
    var.noise = rng.between(3.0, 12.0);
    var.blur = rng.between(0.0, 2.0);
    return var;
}

// Vertebral levels down the film, sized for the region.
Spine stackLevels(XrayClass cls, const XrayVariation& var, PhantomRng& rng) {
    Spine spine;
    spine.cls = cls;
    spine.view = var.view;
    const double bodyHeight = var.region == "cervical" ? 14 : var.region == "thoracic" ? 20 : 26;
    const double discHeight = var.region == "cervical" ? 5 : var.region == "thoracic" ? 6 : 9;
    spine.bodyWidth = var.region == "cervical" ? 18 : var.region == "thoracic" ? 26 : 36;
    spine.curve = rng.between(-8, 8);
    const int count = int(std::ceil(300.0 / (bodyHeight + discHeight))) + 4;
    const double start =
        -150.0 - (bodyHeight + discHeight) - rng.between(0, bodyHeight + discHeight);
    // Levels stacked one after another, so jitter in one never makes two bodies overlap.
    double top = start;
    for (int i = 0; i < count; ++i) {
        const double h = bodyHeight * rng.between(0.92, 1.08),
                     disc = discHeight * rng.between(0.85, 1.15);
        spine.levels.push_back({top + h / 2, h, disc, false});
        top += h + disc;
    }
    return spine;
}

// The finding: a block of 3-5 levels marked (and, for stenosis, its discs collapsed).
void markAffectedLevels(Spine& spine, XrayVariation& var, PhantomRng& rng) {
    const int count = int(spine.levels.size());
    var.affectedLevels = rng.pick(3, 5);
    // A block of levels whose middle lies near the centre of the film, so the finding is
    // in view whatever the scale and shift.
    std::vector<int> starts;
    for (int i = 0; i + var.affectedLevels <= count; ++i) {
        const double middle = (spine.levels[std::size_t(i)].centre +
                               spine.levels[std::size_t(i + var.affectedLevels - 1)].centre) /
                              2;
        if (std::abs(middle) < 50.0)
            starts.push_back(i);
    }
    const int first = starts.empty() ? std::max(0, count / 2 - var.affectedLevels / 2)
                                     : starts[std::size_t(rng.pick(0, int(starts.size()) - 1))];
    for (int i = first; i < first + var.affectedLevels && i < count; ++i) {
        spine.levels[std::size_t(i)].finding = true;
        if (spine.cls == XrayClass::ForaminalStenosis)
            spine.levels[std::size_t(i)].discBelow *=
                rng.between(0.2, 0.45); // collapsed disc space at the level
    }
    // Stack again so the bodies close in on the narrowed discs (the block's middle stays).
    const double anchor = spine.levels[std::size_t(first)].centre;
    double y = spine.levels.front().centre - spine.levels.front().bodyHeight / 2;
    for (Level& L : spine.levels) {
        L.centre = y + L.bodyHeight / 2;
        y += L.bodyHeight + L.discBelow;
    }
    const double shift = anchor - spine.levels[std::size_t(first)].centre;
    for (Level& L : spine.levels)
        L.centre += shift;
}

// Pedicle screws and rods over 2-3 levels near the middle of the film.
std::vector<Segment> placeImplant(const Spine& spine, const std::string& view, PhantomRng& rng) {
    const int count = int(spine.levels.size());
    // Instrumented levels near the middle of the film, so the hardware is always in view.
    std::vector<int> central;
    for (int i = 0; i + 3 < count; ++i)
        if (std::abs(spine.levels[std::size_t(i)].centre) < 60.0)
            central.push_back(i);
    const int first = central.empty() ? count / 2 - 1
                                      : central[std::size_t(rng.pick(0, int(central.size()) - 1))];
    const int levels = rng.pick(2, 3);
    const double w = spine.bodyWidth;
    std::vector<Segment> implant;
    std::vector<double> heads;
    for (int i = first; i < first + levels; ++i) {
        const double u = spine.levels[std::size_t(i)].centre;
        if (view == "ap") {
            for (double side : {-1.0, 1.0})
                implant.push_back({u, side * w * 0.55, u + 2, side * w * 0.12, 1.8});
        } else {
            implant.push_back({u, w * 1.05, u + 3, -w * 0.25, 1.8}); // screw from pedicle into body
        }
        heads.push_back(u);
    }
    if (view == "ap") {
        for (double side : {-1.0, 1.0})
            implant.push_back(
                {heads.front() - 6, side * w * 0.55, heads.back() + 6, side * w * 0.55, 1.6});
    } else {
        implant.push_back({heads.front() - 6, w * 1.05, heads.back() + 6, w * 1.05, 1.6});
    }
    return implant;
}

// The film: background, soft tissue and bone projected through the rotated, scaled frame;
// then detector blur and noise; metal saturates whatever the blur and noise.
void exposeFilm(Volume& img, const Spine& spine, const std::vector<Segment>& implant,
                const XrayVariation& var, int size, PhantomRng& rng) {
    img.width = img.height = size;
    img.depth = 1;
    img.voxels.resize(std::size_t(size) * size);
    const double angle = var.rotationDegrees * M_PI / 180.0;
    const double ca = std::cos(angle), sa = std::sin(angle);
    const double pixelToSpine = 300.0 / size / var.scale;
    const double background = rng.between(25, 60);
    std::vector<std::size_t> metal;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            // Image pixel -> spine frame (u down the image, v across), rotated and scaled.
            const double px = (x - size / 2.0 - var.shiftX) * pixelToSpine;
            const double py = (y - size / 2.0 - var.shiftY) * pixelToSpine;
            const double u = ca * py - sa * px, v = sa * py + ca * px;
            const double softTissue = 40.0 * std::exp(-std::pow(v / 120.0, 2.0));
            double value = background + softTissue + 150.0 * var.contrast * density(spine, u, v);
            if (!implant.empty() &&
                implantDensity(implant, u, v - spine.curve * std::sin(u * 0.012)) > 0)
                metal.push_back(std::size_t(y) * size + x);
            img.voxels[std::size_t(y) * size + x] = float(value);
        }
    boxBlur(img.voxels, size, int(std::lround(var.blur)));
    std::normal_distribution<float> noise(0.0f, float(var.noise));
    for (float& v : img.voxels)
        v = std::clamp(std::round(v + noise(rng.engine)), 0.0f, 255.0f);
    for (std::size_t i : metal)
        img.voxels[i] = 255.0f;
}

} // namespace

XrayPhantom makeXrayPhantom(XrayClass cls, std::uint64_t seed, int size) {
    PhantomRng rng(seed * 4 + std::uint64_t(cls));
    XrayPhantom out;
    out.cls = cls;
    out.variation = drawVariation(rng, size);
    Spine spine = stackLevels(cls, out.variation, rng);
    if (cls != XrayClass::Normal)
        markAffectedLevels(spine, out.variation, rng);
    const std::vector<Segment> implant = cls == XrayClass::SurgicalImplant
                                             ? placeImplant(spine, out.variation.view, rng)
                                             : std::vector<Segment>{};
    exposeFilm(out.image, spine, implant, out.variation, size, rng);
    return out;
}

} // namespace spinelens::phantom
