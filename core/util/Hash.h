#pragma once
// FNV-1a 64-bit: a fast fingerprint to tell whether a model or a data set changed between an
// evaluation run and its resumption (not a cryptographic hash).
#include <cstdint>
#include <cstdio>
#include <string>

namespace spinelens {

class Fnv1a {
public:
    void add(const void* data, std::size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < bytes; ++i)
            hash_ = (hash_ ^ p[i]) * 0x100000001B3ULL;
    }
    void add(const std::string& s) { add(s.data(), s.size()); }
    /// Adds a file's bytes; false when it cannot be read.
    bool addFile(const std::string& path) {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f)
            return false;
        char buffer[1 << 16];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;)
            add(buffer, n);
        std::fclose(f);
        return true;
    }
    std::string hex() const {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash_));
        return buf;
    }

private:
    std::uint64_t hash_ = 0xCBF29CE484222325ULL;
};

} // namespace spinelens
