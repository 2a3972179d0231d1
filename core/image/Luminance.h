#pragma once
// One grey value for a colour sample, shared by the DICOM decoders and the PNG/JPEG reader so
// that a colour image gives the same greys whatever its container.

namespace spinelens {

/// Grey value for an RGB sample (ITU-R BT.601 luma weights, as PIL's "L").
inline float luminance(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
}

} // namespace spinelens
