#pragma once
// Reads the attributes of one DICOM file that scanning, grouping and sorting need, without
// its pixel data.
#include "dicom/SeriesInfo.h"

#include <string>

namespace spinelens::dicom {

struct FileHeader {
    SeriesInfo series; ///< series-level attributes, slices empty
    int numberOfFrames = 1;
    bool hasPixelData = false;
    bool hasOrientation = false;
    std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
    SliceSource slice;                ///< frame 0
    std::vector<Vec3> framePositions; ///< per-frame positions of enhanced multi-frame objects
    double sliceThickness = 0.0;
    double spacingBetweenSlices = 0.0;
    std::string sopClassUid;
};

/// Throws spinelens::Error naming the file when it is not readable DICOM. Uses the fast
/// reader (FastHeader.h) where it applies, DCMTK otherwise.
FileHeader readHeader(const std::string& path);
/// Always DCMTK: the reference the fast reader is tested against.
FileHeader readHeaderWithDcmtk(const std::string& path);

/// The series' text attributes, read as raw bytes, decoded to UTF-8 under the file's Specific
/// Character Set (core/text): both readers call it, so they agree.
void decodeTextAttributes(SeriesInfo& series, const std::string& specificCharacterSet);

/// Files referenced by a DICOMDIR, as absolute paths. Throws on an unreadable DICOMDIR.
std::vector<std::string> readDicomDir(const std::string& dicomDirPath);

/// Empty when SpineLens decodes this transfer syntax; otherwise why not ("unsupported
/// transfer syntax MPEG-4 AVC/H.264 ... (1.2.840.10008.1.2.4.102)").
std::string unsupportedTransferSyntax(const std::string& uid);

/// Registers DCMTK's JPEG, JPEG-LS and RLE decoders once per process (thread-safe).
void registerCodecs();

} // namespace spinelens::dicom
