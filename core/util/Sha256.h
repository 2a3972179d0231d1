#pragma once
// SHA-256 (FIPS 180-4), for what must show tampering rather than mere change: the worklist's
// audit chain, where each record carries the hash of the one before. (Fnv1a in Hash.h is a
// fast fingerprint, not fit for that.) Tested against Python's hashlib.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace spinelens {

class Sha256 {
public:
    Sha256();
    void add(const void* data, std::size_t bytes);
    void add(const std::string& s) { add(s.data(), s.size()); }
    /// Adds a file's bytes; false when it cannot be read.
    bool addFile(const std::string& path);
    /// The digest as 64 lowercase hex digits. Ends the hash: add nothing after.
    std::string hex();

private:
    void block(const unsigned char* p);
    std::array<std::uint32_t, 8> state_;
    unsigned char buffer_[64];
    std::size_t buffered_ = 0;
    std::uint64_t bytes_ = 0;
};

/// SHA-256 of a string, as hex.
std::string sha256Hex(const std::string& data);

} // namespace spinelens
