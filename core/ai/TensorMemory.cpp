#include "ai/TensorMemory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <map>
#include <mutex>
#include <unordered_map>

namespace spinelens::ai {
namespace {

// Below this, glibc's heap already keeps freed blocks mapped (see util/Allocator.h).
constexpr std::size_t kCachedFrom = std::size_t(1) << 20;
// A freed block serves a later request up to a quarter smaller (a batch's last, shorter step).
constexpr std::size_t kSlackDivisor = 4;

class CachingCpuAllocator final : public c10::Allocator {
public:
    c10::DataPtr allocate(size_t n) const override {
        if (n < kCachedFrom) {
            void* p = c10::alloc_cpu(n);
            return {p, p, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
        }
        void* p = takeCached(n);
        if (!p) {
            p = c10::alloc_cpu(n); // throws c10::Error when memory runs out
            std::lock_guard<std::mutex> lock(mutex_);
            live_[p] = n;
        }
        return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
    }

    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    TensorMemoryStats stats() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return stats_;
    }

    static CachingCpuAllocator& instance() {
        static CachingCpuAllocator* allocator = new CachingCpuAllocator; // lives with the process
        return *allocator;
    }

private:
    void* takeCached(std::size_t n) const {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = free_.lower_bound(n);
        if (it == free_.end() || it->first > n + n / kSlackDivisor) {
            ++stats_.misses;
            return nullptr;
        }
        void* p = it->second;
        stats_.cachedBytes -= it->first;
        free_.erase(it);
        ++stats_.reuses;
        return p;
    }

    // Tensor storage freed: a large block goes to the cache while it has room, everything else
    // back to the C allocator. Also the raw deleter, so it takes small blocks too.
    static void release(void* p) {
        if (!p)
            return;
        CachingCpuAllocator& self = instance();
        {
            std::lock_guard<std::mutex> lock(self.mutex_);
            auto live = self.live_.find(p);
            if (live != self.live_.end()) {
                const std::size_t size = live->second;
                if (self.stats_.cachedBytes + size <= kTensorCacheLimitBytes) {
                    self.free_.emplace(size, p);
                    self.stats_.cachedBytes += size;
                    return;
                }
                self.live_.erase(live);
            }
        }
        c10::free_cpu(p);
    }

    mutable std::mutex mutex_;
    mutable std::unordered_map<void*, std::size_t> live_; ///< large blocks, in use or cached
    mutable std::multimap<std::size_t, void*> free_;      ///< cached, by size
    mutable TensorMemoryStats stats_;
};

} // namespace

void cacheLargeTensorBlocks() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Priority above the default allocator's, so a later registration of it cannot win.
        c10::SetCPUAllocator(&CachingCpuAllocator::instance(), 1);
    });
}

TensorMemoryStats tensorMemoryStats() {
    return CachingCpuAllocator::instance().stats();
}

} // namespace spinelens::ai
