#pragma once
// The parsers take paths (as the viewer hands them files): each input goes to a file in
// /dev/shm first. One file per process, rewritten each run.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

inline std::string fuzzFile(const std::uint8_t* data, std::size_t size, const char* suffix) {
    static const std::string base = "/dev/shm/spinelens-fuzz-" + std::to_string(getpid());
    const std::string path = base + suffix;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    // Without the file, the previous input would be parsed again: stop instead.
    if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0)
        std::abort();
    return path;
}
