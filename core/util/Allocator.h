#pragma once
// The C allocator, set up for inference next to a window. Call first thing in main().
#include <cstdlib> // defines __GLIBC__ where it is glibc
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace spinelens {

/// Each inference allocates and frees tensors of several megabytes. With glibc's defaults
/// those went back to the kernel when freed (munmap, heap trimming) and every inference
/// page-faulted its memory in afresh: a third of triage's CPU time was the kernel's (perf, 2-core
/// VM), and the unmapping takes the memory-map lock that the drawing thread's page faults wait for.
/// Blocks up to 32 MB kept in the heap, and up to 512 MB of freed memory kept for reuse, halved the
/// page faults of `worklist add` on three 15-slice studies (360,000 -> 170,000-260,000) and its
/// time (5.3 s -> 3.3-4.6 s). Settings an operator made (GLIBC_TUNABLES, MALLOC_*_) are left as
/// they are.
inline void keepFreedMemoryForReuse() {
#ifdef __GLIBC__
    if (std::getenv("GLIBC_TUNABLES") || std::getenv("MALLOC_MMAP_THRESHOLD_") ||
        std::getenv("MALLOC_TRIM_THRESHOLD_"))
        return;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024); // glibc's largest
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

} // namespace spinelens
