#pragma once
// A stack of same-sized slices in modality values (Hounsfield units for CT, rescaled values
// otherwise), in display order. Float keeps non-integer rescale slopes exact.
#include "image/Geometry.h"

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>
#ifdef __linux__
#include <sys/mman.h>
#endif

namespace spinelens {

/// std::allocator that leaves floats uninitialised on resize: a 300-slice CT is 300 MB, and
/// zero-filling it first would cost more than decoding it (the decoders write every voxel).
/// Large buffers are 2 MiB aligned and marked for transparent huge pages: first-touch page
/// faults on 4 KiB pages otherwise cost a third of a CT load.
template <typename T> struct UninitialisedAllocator : std::allocator<T> {
    using value_type = T;
    template <typename U> struct rebind { using other = UninitialisedAllocator<U>; };
    UninitialisedAllocator() = default;
    template <typename U> UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}

    static constexpr std::size_t kHugePage = std::size_t(2) << 20;
    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < 8 * kHugePage)
            return std::allocator<T>::allocate(n);
        const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void* p = std::aligned_alloc(kHugePage, rounded);
        if (!p)
            throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        madvise(p, rounded, MADV_HUGEPAGE);
#endif
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < 8 * kHugePage)
            std::allocator<T>::deallocate(p, n);
        else
            std::free(p);
    }
    template <typename U> void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args> void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
using VoxelBuffer = std::vector<float, UninitialisedAllocator<float>>;

struct Volume {
    int width = 0;  ///< columns
    int height = 0; ///< rows
    int depth = 0;  ///< slices (or frames)
    Geometry geometry;
    VoxelBuffer voxels; ///< width*height*depth, x fastest

    std::size_t sliceSize() const { return std::size_t(width) * std::size_t(height); }
    float* slice(int k) { return voxels.data() + sliceSize() * std::size_t(k); }
    const float* slice(int k) const { return voxels.data() + sliceSize() * std::size_t(k); }
    float at(int x, int y, int k) const { return slice(k)[std::size_t(y) * width + x]; }
    bool empty() const { return voxels.empty(); }
};

} // namespace spinelens
