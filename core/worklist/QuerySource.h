#pragma once
// A PACS query as a source of the worklist ("lumbar MR of the last 24 hours"): each poll asks
// the PACS for the matching studies, retrieves the ones the worklist does not list yet into a
// store folder, and enters and triages them like any other arrival. A study retrieved only in
// part is entered with what arrived, and the poll says so.
#include "net/Pacs.h"
#include "worklist/Inbox.h"

#include <ctime>
#include <string>
#include <vector>

namespace spinelens::worklist {

struct SavedQuery {
    net::QueryKeys keys; ///< study level; a date range in it is used as given
    /// When above 0: only studies from the last this many hours (the PACS is asked for the
    /// dates; the study time, when the PACS gives it, narrows that to the hour).
    int lastHours = 0;
};

struct PullResult {
    int matched = 0;       ///< studies the PACS listed for the query
    int alreadyListed = 0; ///< of those, already listed and held whole: not retrieved again
    int outsideWindow = 0; ///< listed by the PACS for the dates, but older than lastHours
    int retrieved = 0;     ///< retrieved and entered
    std::vector<Arrival> arrivals;
    std::vector<std::string> problems; ///< per study, naming it and the server
};

/// The keys `query` sends at time `now` (the date range of lastHours filled in).
net::QueryKeys keysAt(const SavedQuery& query, std::time_t now);

/// Whether a match's study date and time fall within the last `hours` before `now` (local
/// time, as DICOM dates are). A match without a time is judged by its date alone.
bool withinLastHours(const net::QueryMatch& match, int hours, std::time_t now);

/// One poll. Throws Error when the PACS cannot be asked at all; a study that fails to
/// retrieve is a problem of the result, and the others go on. A listed study is retrieved
/// (and triaged) again when the PACS holds more of its images than the store. `keepGoing`,
/// asked between studies, stops the poll when it returns false.
PullResult pullQuery(WorklistDb& db, Triage& triage, const net::PacsNode& node,
                     const SavedQuery& query, const std::string& storeFolder,
                     const std::string& user, std::time_t now,
                     const std::function<void(const Arrival&)>& onStudy = {},
                     const std::function<bool()>& keepGoing = {});

} // namespace spinelens::worklist
