#pragma once
// AI results stored with a study: the SRs SpineLens wrote (found in a scan, e.g. a study
// retrieved again from the PACS), read back with when and by which model they were made.
// The CLI's `info` and the viewer's AI panel show these.
#include "dicom/SeriesInfo.h"
#include "out/AiReport.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spinelens::report {

struct StoredAiResult {
    out::WrittenObject identity; ///< path, study, series and instance UIDs
    out::AiResult result;
};

/// Every SpineLens AI report among the scan's skipped files (SRs are not images), oldest
/// first. A file that looks like one but cannot be read is left out.
std::vector<StoredAiResult> storedAiResults(const ScanResult& scan);

/// What was read before, by file (nullopt: not one of ours): a viewer that rescans a study as
/// its series arrive opens each SR once.
using StoredAiCache = std::map<std::string, std::optional<StoredAiResult>>;
std::vector<StoredAiResult> storedAiResults(const ScanResult& scan, StoredAiCache& cache);

/// Only those of one study.
std::vector<StoredAiResult> storedAiResultsOfStudy(const std::vector<StoredAiResult>& all,
                                                   const std::string& studyUid);

} // namespace spinelens::report
