#pragma once
// JPEG 2000 is not in the free DCMTK; ITK's GDCM reader decodes it (OpenJPEG inside GDCM).
#include "dicom/DicomDecoder.h"

namespace spinelens::dicom {

DecodedFrames decodeWithGdcm(const std::string& path, float* destination, std::size_t capacity);

} // namespace spinelens::dicom
