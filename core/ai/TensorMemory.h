#pragma once
// LibTorch's tensor memory, kept for the next inference. An inference allocates activations of
// tens of megabytes; glibc hands blocks over 32 MB (its largest mmap threshold) back to the
// kernel when freed, so every inference page-faulted them in again and unmapped them after,
// holding the memory-map lock that the drawing thread's page faults wait for. A 15-slice study
// allocates the same shapes slice after slice, so large blocks are kept and handed out again.
// Only c10's headers here (not torch.h): they compile in a second.
#include <cstddef>
#include <cstdint>

namespace spinelens::ai {

/// At most this much freed tensor memory is kept; beyond it, blocks go back to the system.
constexpr std::size_t kTensorCacheLimitBytes = std::size_t(512) << 20;

/// Installs the caching CPU allocator for LibTorch (once; TorchModel::load calls it). Tensors
/// allocated before keep their own deleter, so installing it late is safe.
void cacheLargeTensorBlocks();

struct TensorMemoryStats {
    std::uint64_t reuses = 0;    ///< large blocks handed out again from the cache
    std::uint64_t misses = 0;    ///< large blocks that had to be allocated
    std::size_t cachedBytes = 0; ///< freed large blocks kept now
};
TensorMemoryStats tensorMemoryStats();

} // namespace spinelens::ai
