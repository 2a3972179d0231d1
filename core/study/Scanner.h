#pragma once
// Turns what the user opened (files, folders, DICOMDIRs, PNG/JPEG X-rays) into series:
// grouped by patient / study / series, slices sorted along the slice normal.
#include "dicom/SeriesInfo.h"

#include <string>
#include <vector>

namespace spinelens {

struct ScanOptions {
    int threads = 0; ///< 0 = all cores
};

/// Never throws for a bad file: every file that cannot be used lands in failures with the
/// reason, and everything else still forms series.
ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options = {});

namespace dicom {
/// Groups headers of image files into series and sorts each. Exposed for tests.
struct FileHeader;
std::vector<SeriesInfo> groupIntoSeries(std::vector<FileHeader> headers);
} // namespace dicom

} // namespace spinelens
