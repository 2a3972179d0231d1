#pragma once
// The case image of a file: its pixels as the trainer, the evaluator and the case view give
// them to a model (PNG/JPEG, or DICOM frame 0), plus the DICOM UIDs when there are any.
#include "dicom/SeriesInfo.h"
#include "image/WindowLevel.h"

#include <string>
#include <vector>

namespace spinelens {

struct CaseImage {
    int width = 0, height = 0;
    std::vector<float> pixels; ///< height * width grey values (modality values for DICOM)
    std::string studyUid, seriesUid, sopUid; ///< empty for PNG/JPEG
    DisplayDefaults display; ///< how the file presents its values (VOI, MONOCHROME1, depth)
};

/// The case image of a file is its first stored frame: what training, calibration and
/// evaluation give the model. Throws spinelens::Error naming the file when it cannot be decoded.
CaseImage loadCaseImage(const std::string& path, bool withUids = false);

/// Where that case image is in a series scanned from the file: the display-order index of the
/// file's frame 0 (a multi-frame object may sort it elsewhere by position); 0 if absent.
int caseImageSlice(const SeriesInfo& series, const std::string& path);

} // namespace spinelens
