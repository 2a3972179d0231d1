#include "util/Npy.h"

#include "Error.h"

#include <cstring>
#include <fstream>
#include <regex>

namespace spinelens {

void writeNpy(const std::string& path, const NpyMatrix& m) {
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                         std::to_string(m.rows) + ", " + std::to_string(m.cols) + "), }";
    // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple
    // of 64 and ended by a newline, as numpy writes it.
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error("cannot write the array file", path);
    out.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t length = std::uint16_t(header.size());
    const char lengthBytes[2] = {char(length & 0xff), char(length >> 8)};
    out.write(lengthBytes, 2);
    out.write(header.data(), std::streamsize(header.size()));
    out.write(reinterpret_cast<const char*>(m.values.data()),
              std::streamsize(m.values.size() * sizeof(double)));
    if (!out)
        throw Error("cannot write the array file", path);
}

NpyMatrix readNpy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open the array file", path);
    char magic[10] = {};
    in.read(magic, 10);
    if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0 || magic[6] != 1)
        throw Error("not a NumPy .npy file (version 1.0)", path);
    const std::size_t headerLength = std::size_t(static_cast<unsigned char>(magic[8])) |
                                     (std::size_t(static_cast<unsigned char>(magic[9])) << 8);
    std::string header(headerLength, '\0');
    in.read(header.data(), std::streamsize(headerLength));
    if (!in)
        throw Error("truncated .npy header", path);
    std::smatch match;
    if (!std::regex_search(header, match, std::regex("'descr':\\s*'(<f8|<f4)'")))
        throw Error("the array must hold little-endian float32 or float64 values", path);
    const bool doubles = match[1] == "<f8";
    if (header.find("'fortran_order': False") == std::string::npos)
        throw Error("the array must be in C order", path);
    if (!std::regex_search(header, match,
                           std::regex("'shape':\\s*\\((\\d+)\\s*,\\s*(\\d*)\\s*\\)")))
        throw Error("the array must have one or two dimensions", path);
    NpyMatrix m;
    try {
        if (match[2].length() == 0) {
            m.rows = 1;
            m.cols = std::stoll(match[1]);
        } else {
            m.rows = std::stoll(match[1]);
            m.cols = std::stoll(match[2]);
        }
    } catch (const std::exception&) {
        throw Error("the array's shape is not readable", path);
    }
    constexpr std::int64_t kMaxValues = std::int64_t(1) << 28;
    if (m.rows < 0 || m.cols < 0 || m.rows > kMaxValues || m.cols > kMaxValues ||
        (m.cols > 0 && m.rows > kMaxValues / m.cols))
        throw Error("the array's shape is out of range", path);
    const std::size_t count = std::size_t(m.rows * m.cols);
    m.values.resize(count);
    if (doubles) {
        in.read(reinterpret_cast<char*>(m.values.data()), std::streamsize(count * 8));
    } else {
        std::vector<float> f(count);
        in.read(reinterpret_cast<char*>(f.data()), std::streamsize(count * 4));
        std::copy(f.begin(), f.end(), m.values.begin());
    }
    if (!in)
        throw Error("the array file is shorter than its shape says", path);
    return m;
}

} // namespace spinelens
