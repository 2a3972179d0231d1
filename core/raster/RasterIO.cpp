#include "raster/RasterIO.h"

#include "Error.h"
#include "image/Luminance.h"

#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstdlib>
#include <memory>

namespace spinelens::raster {
namespace {

std::string lowerExtension(const std::string& path) {
    const auto dot = path.find_last_of('.');
    if (dot == std::string::npos || path.find('/', dot) != std::string::npos)
        return {};
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext;
}

struct FileCloser {
    void operator()(FILE* f) const {
        if (f)
            std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

FilePtr openOrThrow(const std::string& path, const char* mode) {
    FilePtr f(std::fopen(path.c_str(), mode));
    if (!f)
        throw Error(mode[0] == 'r' ? "cannot open file for reading" : "cannot create file", path);
    return f;
}

bool isPng(FILE* f) {
    unsigned char sig[8] = {};
    const bool ok = std::fread(sig, 1, 8, f) == 8 && png_sig_cmp(sig, 0, 8) == 0;
    std::rewind(f);
    return ok;
}

// ---- PNG --------------------------------------------------------------------------------

struct PngReadState {
    png_structp png = nullptr;
    png_infop info = nullptr;
    std::string error;
    ~PngReadState() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

void pngError(png_structp png, png_const_charp message) {
    auto* state = static_cast<PngReadState*>(png_get_error_ptr(png));
    state->error = message ? message : "unknown libpng error";
    png_longjmp(png, 1);
}
void pngWarning(png_structp, png_const_charp) {}

// Returns false and leaves state.error set when libpng fails. Kept free of C++ objects with
// destructors between setjmp and longjmp (a longjmp skips them: the row table lived here once
// and leaked on every damaged PNG, found by fuzz_raster); the caller owns buffer and rows.
bool readPngRows(FILE* f, PngReadState& state, RasterInfo& info, std::vector<png_byte>& buffer,
                 std::vector<png_bytep>& rows, bool headerOnly) {
    state.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, pngError, pngWarning);
    state.info = png_create_info_struct(state.png);
    if (setjmp(png_jmpbuf(state.png)))
        return false;
    png_init_io(state.png, f);
    png_read_info(state.png, state.info);
    info.width = int(png_get_image_width(state.png, state.info));
    info.height = int(png_get_image_height(state.png, state.info));
    info.bitDepth = png_get_bit_depth(state.png, state.info) == 16 ? 16 : 8;
    const int colorType = png_get_color_type(state.png, state.info);
    info.sourceChannels = png_get_channels(state.png, state.info);
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        info.sourceChannels = 3;
    if (headerOnly)
        return true;
    if (colorType == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(state.png);
    if (colorType == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(state.png, state.info) < 8)
        png_set_expand_gray_1_2_4_to_8(state.png);
    if (colorType & PNG_COLOR_MASK_ALPHA)
        png_set_strip_alpha(state.png);
    if (png_get_valid(state.png, state.info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(state.png), png_set_strip_alpha(state.png);
    if (info.bitDepth == 16)
        png_set_swap(state.png); // little-endian uint16 in memory
    png_read_update_info(state.png, state.info);
    const std::size_t rowBytes = png_get_rowbytes(state.png, state.info);
    if (double(rowBytes) * info.height > double(std::size_t(1) << 31)) {
        state.error = "the image is too large (" + std::to_string(info.width) + " x " +
                      std::to_string(info.height) + ")";
        return false;
    }
    buffer.resize(rowBytes * std::size_t(info.height));
    rows.resize(std::size_t(info.height));
    for (int y = 0; y < info.height; ++y)
        rows[std::size_t(y)] = buffer.data() + rowBytes * std::size_t(y);
    png_read_image(state.png, rows.data());
    png_read_end(state.png, nullptr);
    return true;
}

RasterImage readPng(FILE* f, const std::string& path) {
    PngReadState state;
    RasterInfo info;
    std::vector<png_byte> buffer;
    std::vector<png_bytep> rows;
    if (!readPngRows(f, state, info, buffer, rows, false))
        throw Error("cannot decode PNG (" + state.error + ")", path);
    const int channels = png_get_channels(state.png, state.info);
    RasterImage out{info.width, info.height, info.bitDepth, info.sourceChannels, {}};
    const std::size_t n = std::size_t(info.width) * std::size_t(info.height);
    out.pixels.resize(n);
    auto sample = [&](std::size_t i) -> float {
        if (info.bitDepth == 16)
            return float(reinterpret_cast<const std::uint16_t*>(buffer.data())[i]);
        return float(buffer[i]);
    };
    for (std::size_t i = 0; i < n; ++i) {
        if (channels >= 3)
            out.pixels[i] =
                luminance(sample(i * channels), sample(i * channels + 1), sample(i * channels + 2));
        else
            out.pixels[i] = sample(i * channels);
    }
    return out;
}

// ---- JPEG -------------------------------------------------------------------------------

struct JpegError {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr cinfo) {
    auto* err = reinterpret_cast<JpegError*>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, err->message);
    std::longjmp(err->jump, 1);
}
void jpegSilence(j_common_ptr, int) {}

bool readJpegRows(FILE* f, jpeg_decompress_struct& cinfo, JpegError& err, RasterInfo& info,
                  std::vector<unsigned char>& buffer, bool headerOnly) {
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpegErrorExit;
    err.mgr.emit_message = jpegSilence;
    if (setjmp(err.jump))
        return false;
    jpeg_create_decompress(&cinfo);
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    info.width = int(cinfo.image_width);
    info.height = int(cinfo.image_height);
    info.bitDepth = 8;
    info.sourceChannels = cinfo.num_components;
    if (headerOnly)
        return true;
    // Colour JPEGs are decoded to RGB first, then to luminance, as PIL's convert("L") does.
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    const std::size_t stride = std::size_t(cinfo.output_width) * cinfo.output_components;
    buffer.resize(stride * cinfo.output_height);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = buffer.data() + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    return true;
}

RasterImage readJpeg(FILE* f, const std::string& path, bool headerOnly, RasterInfo* infoOut) {
    jpeg_decompress_struct cinfo{};
    JpegError err{};
    RasterInfo info;
    std::vector<unsigned char> buffer;
    const bool ok = readJpegRows(f, cinfo, err, info, buffer, headerOnly);
    const int components = cinfo.output_components;
    jpeg_destroy_decompress(&cinfo);
    if (!ok)
        throw Error(std::string("cannot decode JPEG (") + err.message + ")", path);
    if (infoOut)
        *infoOut = info;
    RasterImage out{info.width, info.height, 8, info.sourceChannels, {}};
    if (headerOnly)
        return out;
    const std::size_t n = std::size_t(info.width) * std::size_t(info.height);
    out.pixels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (components == 3)
            out.pixels[i] = luminance(buffer[3 * i], buffer[3 * i + 1], buffer[3 * i + 2]);
        else
            out.pixels[i] = buffer[i];
    }
    return out;
}

void checkDimensions(const std::string& path, int width, int height) {
    if (width <= 0 || height <= 0 || double(width) * height > 4e8)
        throw Error("absurd image dimensions (" + std::to_string(width) + " x " +
                        std::to_string(height) + ")",
                    path);
}

} // namespace

bool isRasterPath(const std::string& path) {
    const std::string ext = lowerExtension(path);
    return ext == "png" || ext == "jpg" || ext == "jpeg";
}

RasterInfo readInfo(const std::string& path) {
    FilePtr f = openOrThrow(path, "rb");
    RasterInfo info;
    if (isPng(f.get())) {
        PngReadState state;
        std::vector<png_byte> unused;
        std::vector<png_bytep> noRows;
        if (!readPngRows(f.get(), state, info, unused, noRows, true))
            throw Error("cannot decode PNG (" + state.error + ")", path);
    } else {
        readJpeg(f.get(), path, true, &info);
    }
    checkDimensions(path, info.width, info.height);
    return info;
}

RasterImage read(const std::string& path) {
    const RasterInfo info = readInfo(path); // refuses absurd sizes before allocating
    FilePtr f = openOrThrow(path, "rb");
    RasterImage image =
        isPng(f.get()) ? readPng(f.get(), path) : readJpeg(f.get(), path, false, nullptr);
    image.sourceChannels = info.sourceChannels;
    return image;
}

namespace {
struct PngWriteState {
    png_structp png = nullptr;
    png_infop info = nullptr;
    std::string error;
    ~PngWriteState() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};
void pngWriteError(png_structp png, png_const_charp message) {
    static_cast<PngWriteState*>(png_get_error_ptr(png))->error = message ? message : "";
    png_longjmp(png, 1);
}

bool writePngRows(FILE* f, PngWriteState& state, int width, int height, int colorType, int bitDepth,
                  png_bytep* rows, const std::string& comment) {
    state.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, pngWriteError, nullptr);
    state.info = png_create_info_struct(state.png);
    if (setjmp(png_jmpbuf(state.png)))
        return false;
    png_init_io(state.png, f);
    png_set_IHDR(state.png, state.info, png_uint_32(width), png_uint_32(height), bitDepth,
                 colorType, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(state.png, 6);
    if (!comment.empty()) {
        png_text text{};
        text.compression = PNG_TEXT_COMPRESSION_NONE;
        text.key = const_cast<char*>("Comment");
        text.text = const_cast<char*>(comment.c_str());
        png_set_text(state.png, state.info, &text, 1);
    }
    png_write_info(state.png, state.info);
    if (bitDepth == 16)
        png_set_swap(state.png);
    png_write_image(state.png, rows);
    png_write_end(state.png, nullptr);
    return true;
}

void writePng(const std::string& path, int width, int height, int colorType, int bitDepth,
              const unsigned char* data, std::size_t stride, const std::string& comment = {}) {
    FilePtr f = openOrThrow(path, "wb");
    std::vector<png_bytep> rows(static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y)
        rows[std::size_t(y)] = const_cast<png_bytep>(data + stride * std::size_t(y));
    PngWriteState state;
    if (!writePngRows(f.get(), state, width, height, colorType, bitDepth, rows.data(), comment))
        throw Error("cannot write PNG (" + state.error + ")", path);
}
} // namespace

void writePng8(const std::string& path, int width, int height, int channels,
               const std::uint8_t* data, const std::string& comment) {
    writePng(path, width, height, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, 8, data,
             std::size_t(width) * std::size_t(channels), comment);
}

std::vector<std::uint8_t> encodePng8(int width, int height, int channels,
                                     const std::uint8_t* data) {
    // glibc's memory stream lets the file writer above produce the bytes in memory.
    char* buffer = nullptr;
    std::size_t size = 0;
    std::FILE* f = open_memstream(&buffer, &size);
    if (!f)
        throw Error("cannot encode PNG in memory");
    const std::size_t stride = std::size_t(width) * std::size_t(channels);
    std::vector<png_bytep> rows(static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y)
        rows[std::size_t(y)] = const_cast<png_bytep>(data + stride * std::size_t(y));
    PngWriteState state;
    const bool ok =
        writePngRows(f, state, width, height,
                     channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, 8, rows.data(), {});
    std::fclose(f);
    std::vector<std::uint8_t> bytes(buffer, buffer + size);
    std::free(buffer);
    if (!ok)
        throw Error("cannot encode PNG (" + state.error + ")");
    return bytes;
}

void writePng16(const std::string& path, int width, int height, const std::uint16_t* data) {
    writePng(path, width, height, PNG_COLOR_TYPE_GRAY, 16,
             reinterpret_cast<const unsigned char*>(data), std::size_t(width) * 2);
}

} // namespace spinelens::raster
