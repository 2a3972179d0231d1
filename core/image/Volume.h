#pragma once
// A stack of same-sized slices in modality values (Hounsfield units for CT, rescaled values
// otherwise), in display order. Float keeps non-integer rescale slopes exact.
#include "image/Geometry.h"

#include <cstddef>
#include <vector>

namespace spinelens {

struct Volume {
    int width = 0;  ///< columns
    int height = 0; ///< rows
    int depth = 0;  ///< slices (or frames)
    Geometry geometry;
    std::vector<float> voxels; ///< width*height*depth, x fastest

    std::size_t sliceSize() const { return std::size_t(width) * std::size_t(height); }
    float* slice(int k) { return voxels.data() + sliceSize() * std::size_t(k); }
    const float* slice(int k) const { return voxels.data() + sliceSize() * std::size_t(k); }
    float at(int x, int y, int k) const { return slice(k)[std::size_t(y) * width + x]; }
    bool empty() const { return voxels.empty(); }
};

} // namespace spinelens
