#pragma once
// The pixels of one data set sample, whatever its format (PNG/JPEG or DICOM, first frame), as
// the trainer and the evaluator feed them to a model, plus the DICOM UIDs when there are any.
#include "image/WindowLevel.h"

#include <string>
#include <vector>

namespace spinelens::data {

struct SampleImage {
    int width = 0, height = 0;
    std::vector<float> pixels; ///< height * width grey values (modality values for DICOM)
    std::string studyUid, seriesUid, sopUid; ///< empty for PNG/JPEG
    DisplayDefaults display; ///< how the file presents its values (VOI, MONOCHROME1, depth)
};

/// Throws spinelens::Error naming the file when it cannot be decoded.
SampleImage loadSampleImage(const std::string& path, bool withUids = false);

} // namespace spinelens::data
