#include "worklist/Inbox.h"

#include "study/Scanner.h"
#include "worklist/ModelAssignment.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
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

namespace {

// Enters the studies in `paths` and, with a `triage`, triages each; without one they wait in
// the Pending lane (resumePending triages them when the worklist is next opened).
std::vector<Arrival> enter(WorklistDb& db, Triage* triage, const std::vector<std::string>& paths,
                           const std::string& user,
                           const std::function<void(const Arrival&)>& onStudy,
                           ArrivalClock::time_point arrivedAt) {
    const auto start = arrivedAt == ArrivalClock::time_point{} ? ArrivalClock::now() : arrivedAt;
    // The same moment on the wall clock, which the worklist file keeps.
    const double arrivedEpoch =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch() -
                                      (ArrivalClock::now() - start))
            .count();
    std::vector<Arrival> out;
    // Absolute from here on: the entry's source and best image are opened, sent and exported
    // later from other working folders (the viewer, `worklist export` run elsewhere).
    std::vector<std::string> absolute;
    for (const std::string& p : paths) {
        std::error_code ec;
        const std::filesystem::path a = std::filesystem::absolute(p, ec);
        absolute.push_back(ec ? p : a.lexically_normal().string());
    }
    const ScanResult scan = spinelens::scan(absolute);
    const std::string source = joined(absolute);
    const ThresholdLookup thresholdFor = thresholdsOf(db);
    if (triage)
        triage->setAssigned(assignedFolders(db));
    for (const auto& [key, series] : studiesOf(scan)) {
        const bool isNew = db.addArrival(entryFor(key, series, source), user, arrivedEpoch);
        if (!triage)
            continue;
        out.push_back(
            storeOutcome(db, key, triage->run(series, thresholdFor), isNew, user, start, onStudy));
    }
    // An unreadable file is an arrival the AI could not assess, not something to lose.
    for (const FileFailure& f : scan.failures) {
        Entry e;
        e.studyUid = "file:" + f.path;
        e.source = f.path;
        const bool isNew = db.addArrival(e, user, arrivedEpoch);
        TriageOutcome t;
        t.lane = Lane::NotAssessed;
        t.problem = "unreadable: " + f.reason;
        out.push_back(storeOutcome(db, e.studyUid, t, isNew, user, start, onStudy));
    }
    return out;
}

} // namespace

std::vector<Arrival> addAndTriage(WorklistDb& db, Triage& triage,
                                  const std::vector<std::string>& paths, const std::string& user,
                                  const std::function<void(const Arrival&)>& onStudy,
                                  ArrivalClock::time_point arrivedAt) {
    return enter(db, &triage, paths, user, onStudy, arrivedAt);
}

void enterForLater(WorklistDb& db, const std::vector<std::string>& paths, const std::string& user,
                   ArrivalClock::time_point arrivedAt) {
    enter(db, nullptr, paths, user, {}, arrivedAt);
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
