#include "report/StoredAiResults.h"

#include "Error.h"

#include <algorithm>
#include <filesystem>

namespace spinelens::report {

std::vector<StoredAiResult> storedAiResults(const ScanResult& scan) {
    StoredAiCache none;
    return storedAiResults(scan, none);
}

std::vector<StoredAiResult> storedAiResults(const ScanResult& scan, StoredAiCache& cache) {
    std::vector<StoredAiResult> found;
    for (const auto& f : scan.skipped) {
        // The scanner names a skipped file's SOP class in its reason: only Comprehensive SRs
        // are opened again to see whose root they have.
        if (f.reason.find("1.2.840.10008.5.1.4.1.1.88.33") == std::string::npos)
            continue;
        // Keyed by path, size and time: a report rewritten in place is read again.
        std::error_code ec;
        const auto size = std::filesystem::file_size(f.path, ec);
        const auto time = std::filesystem::last_write_time(f.path, ec).time_since_epoch().count();
        const std::string key = f.path + '\n' + std::to_string(size) + '\n' + std::to_string(time);
        auto known = cache.find(key);
        if (known == cache.end()) {
            std::optional<StoredAiResult> r;
            if (out::isAiReport(f.path)) {
                try {
                    StoredAiResult read;
                    read.result = out::readAiReport(f.path, &read.identity);
                    r = std::move(read);
                } catch (const Error&) {
                    // isAiReport said yes but it cannot be read as one: not shown as a result.
                }
            }
            known = cache.emplace(key, std::move(r)).first;
        }
        if (known->second)
            found.push_back(*known->second);
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
