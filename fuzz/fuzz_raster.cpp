// PNG and JPEG X-rays (libpng / libjpeg through RasterIO).
#include "Error.h"
#include "FuzzFile.h"
#include "raster/RasterIO.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first byte picks the extension: the reader trusts the signature, not the name.
    const char* suffix = size > 0 && (data[0] & 1) ? ".png" : ".jpg";
    const std::string path = fuzzFile(data, size, suffix);
    try {
        spinelens::raster::readInfo(path);
    } catch (const spinelens::Error&) {
    }
    try {
        spinelens::raster::read(path);
    } catch (const spinelens::Error&) {
    }
    return 0;
}
