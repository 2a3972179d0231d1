#pragma once
// How studies enter the worklist (the CLI's `worklist add`, the viewer's receiver and watched
// folder): the paths are scanned, their series grouped by study, each study entered as arrived
// and triaged at once. Files that cannot be read enter too, in the "could not assess" lane
// with the reason: nothing that arrives is dropped.
#include "worklist/Triage.h"
#include "worklist/Worklist.h"

#include <chrono>
#include <string>
#include <vector>

namespace spinelens::worklist {

struct Arrival {
    std::string studyKey;
    bool isNew = false;
    TriageOutcome triage;
    /// Arrival to "in the list with a score": from `arrivedAt` of addAndTriage, so a wait for
    /// the quiet period, for the triage thread and for the studies triaged before it counts.
    double triageSeconds = 0;
};

using ArrivalClock = std::chrono::steady_clock;

/// Scans `paths`, enters and triages every study found. `onStudy` (optional) is called after
/// each study is triaged, e.g. to refresh a list. `arrivedAt` is when the studies arrived (the
/// receiver's last object, the end of a copy into a watched folder, the start of a retrieve);
/// by default, the call. Throws only when the worklist file fails.
std::vector<Arrival> addAndTriage(WorklistDb& db, Triage& triage,
                                  const std::vector<std::string>& paths, const std::string& user,
                                  const std::function<void(const Arrival&)>& onStudy = {},
                                  ArrivalClock::time_point arrivedAt = {});

/// Enters the studies in `paths` without triage: they wait in the Pending lane (a process
/// closing with arrivals still queued), and resumePending triages them later. Unreadable
/// files enter the not-assessed lane as in addAndTriage.
void enterForLater(WorklistDb& db, const std::vector<std::string>& paths, const std::string& user,
                   ArrivalClock::time_point arrivedAt = {});

/// Triages every study left waiting for triage (the process that entered it stopped before
/// storing its result: killed, crashed, closed mid-study), from the paths it came from. A
/// study whose images are no longer there goes to "could not assess", saying so: nothing is
/// left waiting for ever.
std::vector<Arrival> resumePending(WorklistDb& db, Triage& triage, const std::string& user,
                                   const std::function<void(const Arrival&)>& onStudy = {});

} // namespace spinelens::worklist
