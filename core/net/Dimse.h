#pragma once
// DICOM networking with DCMTK's dcmnet: C-ECHO, C-FIND (patient, study and series level),
// C-GET, C-MOVE (with a storage SCP of our own for the objects) and C-STORE. Every failure is
// an Error whose message names the server and says in plain words what went wrong: the host
// does not answer, the association was rejected and why, the server refused the request and
// with which status, the transfer stopped half way.
#include "net/Cancellation.h"
#include "net/ServerAddress.h"
#include "net/StoreFolder.h"

#include <functional>
#include <string>
#include <vector>

namespace spinelens::net {

struct DimseSettings {
    std::string callingAet = "SPINELENS"; ///< our AE title
    int connectSeconds = 10;              ///< TCP connect and association negotiation
    int responseSeconds = 60;             ///< each response (or PDU) during an operation
    /// Stops the operation's association at once when cancelled (null: cannot be cancelled
    /// from outside; a retrieve's callback can still stop it when data arrives).
    std::shared_ptr<Cancellation> cancellation;
};

/// C-ECHO. Returns the round trip in milliseconds; throws Error on any failure.
double echo(const ServerAddress& server, const DimseSettings& settings);

enum class QueryLevel { Patient, Study, Series, Image };

/// Matching keys; empty means "any". Patient name and the others may use DICOM wildcards
/// (* and ?). `dateRange` is YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD.
struct QueryKeys {
    QueryLevel level = QueryLevel::Study;
    std::string patientName, patientId, dateRange, modality, accession, studyDescription;
    std::string studyUid;  ///< required for series and image level
    std::string seriesUid; ///< required for image level
};

/// One C-FIND match, text decoded to UTF-8 with the response's character set.
struct QueryMatch {
    std::string level;
    std::string patientName, patientId, patientBirthDate;
    std::string studyUid, studyDate, studyTime, accession, studyDescription, modalities;
    std::string sopClassesInStudy; ///< backslash-separated UIDs, when the server gives them
    std::string seriesUid, seriesNumber, seriesDescription, modality;
    std::string sopInstanceUid, instanceNumber;                            ///< image level
    int numberOfStudies = -1, numberOfSeries = -1, numberOfInstances = -1; ///< -1: not given
};

/// Throws Error naming the bad key (a date range that is not one of the forms above, a series
/// query without a study UID).
void checkQueryKeys(const QueryKeys& keys);

std::vector<QueryMatch> find(const ServerAddress& server, const DimseSettings& settings,
                             const QueryKeys& keys);

struct RetrieveRequest {
    std::string studyUid;
    std::string seriesUid;      ///< empty: the whole study
    std::string sopInstanceUid; ///< one image of the series; empty: the whole series
};

struct RetrieveProgress {
    int received = 0;   ///< objects stored so far
    int remaining = -1; ///< as the server last reported; -1 unknown
    int failed = 0;
    const StoredObject* last = nullptr; ///< the object just stored, if any
};

/// Called after each object and each interim response; return false to cancel. Runs on the
/// thread that called retrieve().
using RetrieveCallback = std::function<bool(const RetrieveProgress&)>;

struct RetrieveResult {
    std::vector<StoredObject> objects;
    int failed = 0; ///< sub-operations the server reported failed
    int warnings = 0;
    bool complete = false; ///< the server reported success and nothing failed or is missing
    bool cancelled = false;
    std::string problem; ///< why the retrieve is partial (empty when complete)
};

/// C-GET: the objects come back on the same association (no firewall opening needed).
RetrieveResult retrieveGet(const ServerAddress& server, const DimseSettings& settings,
                           const RetrieveRequest& request, const StoreFolder& store,
                           const RetrieveCallback& progress = {});

/// C-MOVE to our own AE title, received by a storage SCP listening on `listenPort` for the
/// duration of the call. The PACS must know our AE title, host and port.
RetrieveResult retrieveMove(const ServerAddress& server, const DimseSettings& settings,
                            const RetrieveRequest& request, int listenPort,
                            const StoreFolder& store, const RetrieveCallback& progress = {});

/// Whether the server can send to us by C-MOVE (it knows our AE title, host and port): one
/// image of `studyUid` is moved to our AE title and received on `listenPort` into a temporary
/// folder, removed after. An echo cannot tell, and servers answer a move of nothing alike
/// whether they know the destination or not. Returns empty when the image arrived, else what
/// went wrong in words (with what to do about an unknown destination).
std::string checkMoveDestination(const ServerAddress& server, const DimseSettings& settings,
                                 int listenPort, const std::string& studyUid);

struct SendResult {
    int sent = 0;
    std::vector<std::pair<std::string, std::string>> failures; ///< file, why
};

/// C-STORE of DICOM files (folders are searched). Files that are not DICOM, or that the
/// server refused, are listed in `failures`; the rest are still sent.
SendResult send(const ServerAddress& server, const DimseSettings& settings,
                const std::vector<std::string>& paths,
                const std::function<void(int sent, int total)>& progress = {});

/// The words for a DIMSE status of a C-FIND/C-GET/C-MOVE/C-STORE response (PS3.4 annex C
/// and B), e.g. 0xA801 "the move destination is unknown to the server".
std::string describeStatus(unsigned status);

} // namespace spinelens::net
