#pragma once
// Training-time augmentation on model-input planes (C x H x W floats), the studies' recipe:
// rotation up to 30 degrees, shift 0.2, shear 0.2, zoom 0.2, horizontal flip, noise injection,
// pixelation, and crop-and-resize; each switchable. Shape and label never change; the same
// seed gives the same result.
#include <cstdint>
#include <random>
#include <vector>

namespace spinelens::train {

struct AugmentOptions {
    bool rotate = true;     ///< up to +/- 30 degrees
    bool shift = true;      ///< up to 20 % of the size
    bool shear = true;      ///< shear factor up to 0.2
    bool zoom = true;       ///< scale 0.8 - 1.2
    bool flip = true;       ///< horizontal, with probability 0.5
    bool noise = true;      ///< Gaussian, sigma up to 5 % of the image's range
    bool pixelate = true;   ///< with probability 0.2: block average of 2-4 pixels
    bool cropResize = true; ///< with probability 0.3: a 80-100 % crop stretched back
    bool any() const {
        return rotate || shift || shear || zoom || flip || noise || pixelate || cropResize;
    }
};

/// Augments one input in place. Geometry uses bilinear sampling; outside the image takes the
/// plane's minimum (the background after normalisation).
void augment(std::vector<float>& input, int channels, int height, int width,
             const AugmentOptions& options, std::mt19937_64& rng);

} // namespace spinelens::train
