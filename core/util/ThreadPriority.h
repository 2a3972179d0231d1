#pragma once
// Background work (decoding a series, later inference) must not take the CPU from the thread
// that draws: on a 2-core machine with software OpenGL the difference is a smooth window or a
// stutter. Linux applies nice values per thread, and threads started from a niced thread
// inherit it, so lowering the loader's thread covers its decode workers too.
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace spinelens {

/// Lowers the calling thread's scheduling priority (nice 10). No-op elsewhere.
inline void lowerCurrentThreadPriority() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

} // namespace spinelens
