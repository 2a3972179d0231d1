#pragma once
// A minimal parallel loop on std::thread (core has no Qt). Items are started in index order,
// so item 0 is always among the first to finish: the viewer relies on that to show the first
// slice early.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace spinelens {

inline int defaultThreadCount() {
    return std::max(1, int(std::thread::hardware_concurrency()));
}

/// Calls fn(i) for every i in [0, n). fn must not throw; catch inside it.
template <typename Fn> void parallelFor(std::size_t n, Fn&& fn, int threads = 0) {
    if (threads <= 0)
        threads = defaultThreadCount();
    threads = int(std::min<std::size_t>(std::size_t(threads), n));
    if (threads <= 1) {
        for (std::size_t i = 0; i < n; ++i)
            fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < n; i = next++)
            fn(i);
    };
    std::vector<std::thread> pool;
    pool.reserve(std::size_t(threads - 1));
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto& th : pool)
        th.join();
}

} // namespace spinelens
