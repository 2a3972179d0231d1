#include "worklist/Inbox.h"

#include "study/Scanner.h"
#include "worklist/ModelAssignment.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace spinelens::worklist {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string joined(const std::vector<std::string>& paths) {
    std::string out;
    for (const std::string& p : paths)
        out += (out.empty() ? "" : ";") + p;
    return out;
}

// Stores what triage says about a listed study and announces it.
Arrival storeOutcome(WorklistDb& db, const std::string& key, TriageOutcome outcome, bool isNew,
                     const std::string& user, std::chrono::steady_clock::time_point start,
                     const std::function<void(const Arrival&)>& onStudy) {
    Arrival a;
    a.studyKey = key;
    a.isNew = isNew;
    a.triage = std::move(outcome);
    db.setTriage(key, a.triage, user);
    a.triageSeconds = secondsSince(start);
    if (onStudy)
        onStudy(a);
    return a;
}

ThresholdLookup thresholdsOf(WorklistDb& db) {
    return [&db](const std::string& model) { return db.threshold(model); };
}

} // namespace

std::vector<Arrival> addAndTriage(WorklistDb& db, Triage& triage,
                                  const std::vector<std::string>& paths, const std::string& user,
                                  const std::function<void(const Arrival&)>& onStudy) {
    std::vector<Arrival> out;
    const ScanResult scan = spinelens::scan(paths);
    const std::string source = joined(paths);
    const ThresholdLookup thresholdFor = thresholdsOf(db);
    triage.setAssigned(assignedFolders(db));
    for (const auto& [key, series] : studiesOf(scan)) {
        const auto start = std::chrono::steady_clock::now();
        const bool isNew = db.addArrival(entryFor(key, series, source), user);
        out.push_back(
            storeOutcome(db, key, triage.run(series, thresholdFor), isNew, user, start, onStudy));
    }
    // An unreadable file is an arrival the AI could not assess, not something to lose.
    for (const FileFailure& f : scan.failures) {
        const auto start = std::chrono::steady_clock::now();
        Entry e;
        e.studyUid = "file:" + f.path;
        e.source = f.path;
        const bool isNew = db.addArrival(e, user);
        TriageOutcome t;
        t.lane = Lane::NotAssessed;
        t.problem = "unreadable: " + f.reason;
        out.push_back(storeOutcome(db, e.studyUid, t, isNew, user, start, onStudy));
    }
    return out;
}

std::vector<Arrival> resumePending(WorklistDb& db, Triage& triage, const std::string& user,
                                   const std::function<void(const Arrival&)>& onStudy) {
    // The waiting studies by where they came from: each source is scanned once.
    std::map<std::string, std::set<std::string>> waiting;
    for (const Entry& e : db.entries())
        if (e.triage.lane == Lane::Pending)
            waiting[e.source].insert(e.studyUid);
    std::vector<Arrival> out;
    if (waiting.empty())
        return out;
    const ThresholdLookup thresholdFor = thresholdsOf(db);
    triage.setAssigned(assignedFolders(db));
    for (const auto& [source, studies] : waiting) {
        std::vector<std::string> paths; // the source is the paths joined by ';'
        for (std::size_t from = 0; from <= source.size();) {
            const std::size_t cut = std::min(source.find(';', from), source.size());
            if (cut > from)
                paths.push_back(source.substr(from, cut - from));
            from = cut + 1;
        }
        std::set<std::string> found;
        if (!paths.empty()) {
            const ScanResult scan = spinelens::scan(paths);
            for (const auto& [key, series] : studiesOf(scan)) {
                if (!studies.count(key))
                    continue; // another study in the same folder: already listed or not ours
                const auto start = std::chrono::steady_clock::now();
                found.insert(key);
                out.push_back(storeOutcome(db, key, triage.run(series, thresholdFor), false, user,
                                           start, onStudy));
            }
        }
        for (const std::string& key : studies) {
            if (found.count(key))
                continue;
            const auto start = std::chrono::steady_clock::now();
            TriageOutcome t;
            t.lane = Lane::NotAssessed;
            t.problem = source.empty() ? "left waiting for triage, and where it came from was "
                                         "not recorded"
                                       : "left waiting for triage, and its images are no longer "
                                         "in " +
                                             source;
            out.push_back(storeOutcome(db, key, t, false, user, start, onStudy));
        }
    }
    return out;
}

} // namespace spinelens::worklist
