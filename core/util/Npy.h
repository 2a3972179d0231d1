#pragma once
// NumPy's .npy format (version 1.0, little-endian float64, C order) for the few matrices a
// model package carries beside its TorchScript, so Python reads them with numpy.load alone.
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens {

struct NpyMatrix {
    std::int64_t rows = 0, cols = 0;
    std::vector<double> values; ///< rows * cols, row-major
    double at(std::int64_t r, std::int64_t c) const { return values[std::size_t(r * cols + c)]; }
};

/// Throws spinelens::Error naming the file when it cannot be written.
void writeNpy(const std::string& path, const NpyMatrix& m);
/// Reads a 1-D or 2-D '<f8' or '<f4' array (1-D as one row). Throws spinelens::Error naming
/// the file for anything else: another dtype, Fortran order, a truncated body.
NpyMatrix readNpy(const std::string& path);

} // namespace spinelens
