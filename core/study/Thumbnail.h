#pragma once
// Small 8-bit previews for the series browser, made off the GUI thread from one decoded slice.
#include "dicom/SeriesInfo.h"

#include <cstdint>
#include <vector>

namespace spinelens {

struct Thumbnail {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> grey; ///< width * height
};

/// Decodes the middle slice of the series, windows it (file window, else automatic) and
/// shrinks it to fit size x size keeping the aspect from the pixel spacing. Throws
/// spinelens::Error when the slice cannot be decoded.
Thumbnail makeThumbnail(const SeriesInfo& series, int size);

} // namespace spinelens
