#include "worklist/Inbox.h"

#include "study/Scanner.h"

#include <chrono>

namespace spinelens::worklist {

std::vector<Arrival> addAndTriage(WorklistDb& db, Triage& triage,
                                  const std::vector<std::string>& paths, const std::string& user,
                                  const std::function<void(const Arrival&)>& onStudy) {
    std::vector<Arrival> out;
    const ScanResult scan = spinelens::scan(paths);
    std::string source;
    for (const std::string& p : paths)
        source += (source.empty() ? "" : ";") + p;
    const auto thresholdFor = [&db](const std::string& model) { return db.threshold(model); };
    for (const auto& [key, series] : studiesOf(scan)) {
        const auto start = std::chrono::steady_clock::now();
        Arrival a;
        a.studyKey = key;
        a.isNew = db.addArrival(entryFor(key, series, source), user);
        a.triage = triage.run(series, thresholdFor);
        db.setTriage(key, a.triage, user);
        a.triageSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (onStudy)
            onStudy(a);
        out.push_back(std::move(a));
    }
    // An unreadable file is an arrival the AI could not assess, not something to lose.
    for (const FileFailure& f : scan.failures) {
        const auto start = std::chrono::steady_clock::now();
        Arrival a;
        a.studyKey = "file:" + f.path;
        Entry e;
        e.studyUid = a.studyKey;
        e.source = f.path;
        a.isNew = db.addArrival(e, user);
        a.triage.lane = Lane::NotAssessed;
        a.triage.problem = "unreadable: " + f.reason;
        db.setTriage(a.studyKey, a.triage, user);
        a.triageSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (onStudy)
            onStudy(a);
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace spinelens::worklist
