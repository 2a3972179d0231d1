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
    std::vector<float> pixels; ///< frames * rows * columns, row-major
    /// "dcmtk" or "gdcm" (ITK's GDCM reader, used for JPEG 2000).
    std::string decoder;
};

/// Throws spinelens::Error naming the file and the reason (truncated pixel data, unsupported
/// transfer syntax or photometric interpretation, absurd dimensions, ...).
DecodedFrames decodeFile(const std::string& path);

/// Grey value the viewer uses for an RGB sample (ITU-R BT.601 luma weights, as PIL's "L").
inline float luminance(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
}

} // namespace spinelens::dicom
