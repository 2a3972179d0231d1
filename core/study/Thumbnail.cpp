#include "study/Thumbnail.h"

#include "dicom/DicomDecoder.h"
#include "image/WindowLevel.h"
#include "raster/RasterIO.h"

#include <algorithm>
#include <cmath>

namespace spinelens {

Thumbnail makeThumbnail(const SeriesInfo& series, int size) {
    const SliceSource& s = series.slices[series.slices.size() / 2];
    std::vector<float> pixels;
    int w = 0, h = 0;
    if (series.kind == SourceKind::Raster) {
        raster::RasterImage img = raster::read(s.path);
        pixels = std::move(img.pixels);
        w = img.width;
        h = img.height;
    } else {
        dicom::DecodedFrames f = dicom::decodeFile(s.path);
        w = f.columns;
        h = f.rows;
        const std::size_t plane = std::size_t(w) * h;
        const std::size_t frame =
            std::min<std::size_t>(std::size_t(s.frame), std::size_t(f.frames - 1));
        pixels.assign(f.data() + plane * frame, f.data() + plane * (frame + 1));
    }
    std::vector<std::uint8_t> grey(pixels.size());
    applyDefaultVoi(pixels.data(), pixels.size(),
                    series.sliceDisplay(int(series.slices.size() / 2)), grey.data());

    const double physW = w * series.geometry.spacing[0], physH = h * series.geometry.spacing[1];
    const double scale = size / std::max(physW, physH);
    Thumbnail t;
    t.width = std::max(1, int(std::lround(physW * scale)));
    t.height = std::max(1, int(std::lround(physH * scale)));
    t.grey.resize(std::size_t(t.width) * t.height);
    // Box-average each thumbnail pixel over its footprint in the source.
    for (int y = 0; y < t.height; ++y) {
        const int y0 = y * h / t.height, y1 = std::max(y0 + 1, (y + 1) * h / t.height);
        for (int x = 0; x < t.width; ++x) {
            const int x0 = x * w / t.width, x1 = std::max(x0 + 1, (x + 1) * w / t.width);
            unsigned sum = 0, n = 0;
            for (int yy = y0; yy < y1; ++yy)
                for (int xx = x0; xx < x1; ++xx, ++n)
                    sum += grey[std::size_t(yy) * w + xx];
            t.grey[std::size_t(y) * t.width + x] = std::uint8_t(sum / std::max(1u, n));
        }
    }
    return t;
}

} // namespace spinelens
