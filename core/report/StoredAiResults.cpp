#include "report/StoredAiResults.h"

#include "Error.h"

#include <algorithm>

namespace spinelens::report {

std::vector<StoredAiResult> storedAiResults(const ScanResult& scan) {
    std::vector<StoredAiResult> found;
    for (const auto& f : scan.skipped) {
        // The scanner names a skipped file's SOP class in its reason: only Comprehensive SRs
        // are opened again to see whose root they have.
        if (f.reason.find("1.2.840.10008.5.1.4.1.1.88.33") == std::string::npos ||
            !out::isAiReport(f.path))
            continue;
        try {
            StoredAiResult r;
            r.result = out::readAiReport(f.path, &r.identity);
            found.push_back(std::move(r));
        } catch (const Error&) {
            // isAiReport said yes but it cannot be read as one: not shown as a result.
        }
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return a.result.createdAt < b.result.createdAt;
    });
    return found;
}

std::vector<StoredAiResult> storedAiResultsOfStudy(const std::vector<StoredAiResult>& all,
                                                   const std::string& studyUid) {
    std::vector<StoredAiResult> mine;
    for (const auto& r : all)
        if (r.identity.studyUid == studyUid)
            mine.push_back(r);
    return mine;
}

} // namespace spinelens::report
