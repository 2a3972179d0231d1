#pragma once
// Writes a volume as a DICOM series with DCMTK: the phantoms the sample study and the tests
// use. Every file says "synthetic" in Image Comments and Series Description.
#include "image/Volume.h"
#include "image/WindowLevel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::dicom {

enum class Encoding {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
    Deflated,
    Rle,
    JpegLossless,
    JpegLsLossless
};

/// Names as accepted on command lines: explicit-le, implicit-le, explicit-be, deflated, rle,
/// jpeg-lossless, jpeg-ls-lossless.
Encoding encodingFromName(const std::string& name);

struct SeriesSpec {
    std::string patientName = "PHANTOM^SPINE";
    std::string patientId = "SYN-0001";
    std::string studyDescription = "Synthetic spine phantom";
    std::string accessionNumber; ///< empty: "A" + the patient ID (one per synthetic study)
    std::string seriesDescription = "SYNTHETIC phantom";
    std::string modality = "MR";
    std::string bodyPart = "LSPINE";
    std::string studyDate = "20260101";
    int seriesNumber = 1;
    double rescaleSlope = 1.0;
    double rescaleIntercept = 0.0;
    bool hasWindow = true;
    Window window{600.0, 1200.0};
    Encoding encoding = Encoding::ExplicitLittle;
    bool monochrome1 = false; ///< store as MONOCHROME1 (low values shown white), like many CR/DX
    bool shuffleFileNames = true;         ///< random names, so sorting must use the headers
    bool instanceNumberFileNames = false; ///< "<instance number>.dcm", the RSNA 2024 layout
    std::uint64_t seed = 1;               ///< UIDs and file names are derived from it
    std::string studyInstanceUid;         ///< empty: derived from the seed
};

/// Writes one file per slice into folder (created if needed); returns the paths in display
/// order. Values are stored as int16 after inverse rescale. Throws spinelens::Error.
std::vector<std::string> writeSeries(const Volume& volume, const SeriesSpec& spec,
                                     const std::string& folder);

/// A deterministic DICOM UID under the 2.25 (UUID-derived) root.
std::string deterministicUid(std::uint64_t seed, std::uint64_t salt);

} // namespace spinelens::dicom
