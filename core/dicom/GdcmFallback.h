#pragma once
// JPEG 2000 is not in the free DCMTK; ITK's GDCM reader decodes it (OpenJPEG inside GDCM).
// Debian's GDCM is built with assertions and abort()s on some damaged files, so the decode runs
// in a forked child process writing into shared memory: a crash there is one clear message for
// that file, and the viewer and the rest of the folder carry on.
#include "dicom/DicomDecoder.h"

namespace spinelens::dicom {

/// rows, columns and frames are the header's (read by DCMTK); a decode of another size is
/// refused. Throws spinelens::Error naming the file when GDCM refuses, crashes or hangs.
DecodedFrames decodeWithGdcm(const std::string& path, float* destination, std::size_t capacity,
                             int rows, int columns, int frames);

} // namespace spinelens::dicom
