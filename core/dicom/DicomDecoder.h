#pragma once
// Decodes the pixel data of one DICOM file into modality values (rescale slope/intercept or
// the Modality LUT applied), one float plane per frame. Colour images become luminance.
#include <string>
#include <vector>

namespace spinelens::dicom {

struct DecodedFrames {
    int rows = 0;
    int columns = 0;
    int frames = 0;
    std::vector<float>
        pixels; ///< frames * rows * columns, row-major (empty if written to a destination)
    float* destination = nullptr; ///< where the pixels went when the caller supplied a buffer
    /// "dcmtk", "dcmtk-native" (uncompressed fast path) or "gdcm" (ITK's GDCM reader, JPEG 2000).
    std::string decoder;

    const float* data() const { return destination ? destination : pixels.data(); }
};

/// Decodes every frame. When destination is given and capacity equals the file's
/// frames * rows * columns, pixels are written there directly (the loader passes the volume's
/// slice, saving a copy); otherwise into DecodedFrames::pixels.
/// Throws spinelens::Error naming the file and the reason (truncated pixel data, unsupported
/// transfer syntax or photometric interpretation, absurd dimensions, ...).
DecodedFrames decodeFile(const std::string& path, float* destination = nullptr,
                         std::size_t capacity = 0);

} // namespace spinelens::dicom
