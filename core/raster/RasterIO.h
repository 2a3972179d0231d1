#pragma once
// PNG and JPEG X-rays in and out (libpng, libjpeg-turbo). Read as grey floats: 8- and 16-bit
// grey keep their values; RGB(A) and palette become ITU-R BT.601 luminance.
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::raster {

struct RasterImage {
    int width = 0;
    int height = 0;
    int bitDepth = 8;          ///< of the stored samples (8 or 16)
    int sourceChannels = 1;    ///< as stored in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA)
    std::vector<float> pixels; ///< height * width, row-major
};

struct RasterInfo {
    int width = 0;
    int height = 0;
    int bitDepth = 8;
    int sourceChannels = 1;
};

/// True for .png, .jpg and .jpeg (any case).
bool isRasterPath(const std::string& path);

/// Throws spinelens::Error naming the file on anything it cannot decode.
RasterImage read(const std::string& path);
/// Size and format from the header only.
RasterInfo readInfo(const std::string& path);

/// Writes 8-bit grey (channels 1) or RGB (channels 3) PNG, with an optional tEXt "Comment".
void writePng8(const std::string& path, int width, int height, int channels,
               const std::uint8_t* data, const std::string& comment = {});
/// The bytes of an 8-bit grey (channels 1) or RGB (channels 3) PNG, for embedding.
std::vector<std::uint8_t> encodePng8(int width, int height, int channels, const std::uint8_t* data);
/// Writes 16-bit grey PNG.
void writePng16(const std::string& path, int width, int height, const std::uint16_t* data);

} // namespace spinelens::raster
