// C-GET and C-MOVE into a StoreFolder.
#include "net/Dimse.h"
#include "net/DimseAssociation.h"
#include "net/StorageReceiver.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

#include <unistd.h>

namespace fs = std::filesystem;

namespace spinelens::net {
namespace {

using detail::Association;

void buildRetrieveKeys(const RetrieveRequest& request, DcmDataset& keys) {
    if (request.studyUid.empty())
        throw Error("a retrieve needs the study's UID", "--study");
    if (!request.sopInstanceUid.empty() && request.seriesUid.empty())
        throw Error("a retrieve of one image needs its series' UID", "--series");
    keys.putAndInsertString(DCM_QueryRetrieveLevel, !request.sopInstanceUid.empty() ? "IMAGE"
                                                    : !request.seriesUid.empty()    ? "SERIES"
                                                                                    : "STUDY");
    keys.putAndInsertString(DCM_StudyInstanceUID, request.studyUid.c_str());
    if (!request.seriesUid.empty())
        keys.putAndInsertString(DCM_SeriesInstanceUID, request.seriesUid.c_str());
    if (!request.sopInstanceUid.empty())
        keys.putAndInsertString(DCM_SOPInstanceUID, request.sopInstanceUid.c_str());
}

// Reads the counts of one C-GET/C-MOVE response into the running result.
struct Tally {
    RetrieveProgress progress;
    unsigned finalStatus = 0;
    bool final = false;
    std::string errorComment; ///< the server's own words, when it gave any

    void read(const RetrieveResponse& r) {
        progress.remaining = r.m_numberOfRemainingSubops;
        progress.failed = r.m_numberOfFailedSubops;
        if (r.m_status != 0xFF00 && r.m_status != 0xFF01) {
            final = true;
            finalStatus = r.m_status;
        }
        const char* comment = nullptr;
        if (r.m_statusDetail &&
            r.m_statusDetail->findAndGetString(DCM_ErrorComment, comment).good() && comment)
            errorComment = comment;
    }
};

void finish(RetrieveResult& result, const Tally& tally, int warnings) {
    result.failed = tally.progress.failed;
    result.warnings = warnings;
    if (result.cancelled)
        result.problem = "cancelled after " + std::to_string(result.objects.size()) + " objects";
    else if (!tally.final)
        result.problem = "the server sent no final response";
    else if (tally.finalStatus != 0 && tally.finalStatus != 0xB000)
        result.problem = describeStatus(tally.finalStatus) +
                         (tally.errorComment.empty() ? "" : ": " + tally.errorComment);
    else if (result.failed > 0)
        result.problem = std::to_string(result.failed) + " objects failed on the server";
    else if (result.objects.empty())
        result.problem = "the server has no objects for this request";
    result.complete = result.problem.empty();
}

// Why a retrieve stopped early, in words (what arrived is kept).
std::string brokeOff(const Association& a, const OFCondition& cond, const char* operation) {
    try {
        a.check(cond, operation);
    } catch (const Error& e) {
        return e.reason();
    }
    return {};
}

// A broken association or a file we could not store makes the result partial; the problem
// names the server.
void settle(RetrieveResult& result, const std::string& broke, const std::string& storeProblem,
            const ServerAddress& server) {
    // A file we could not store is our problem, not the server's: it is named first (the
    // server then also counts those sub-operations as failed).
    if (!storeProblem.empty()) {
        result.complete = false;
        result.problem = "could not store here: " + storeProblem;
        return;
    }
    if (!broke.empty()) {
        result.complete = false;
        result.problem = broke;
    }
    if (!result.problem.empty())
        result.problem = server.text() + ": " + result.problem;
}

// C-GET: the objects arrive as C-STORE requests on our own association.
class GetAssociation : public Association {
public:
    GetAssociation(const ServerAddress& server, const DimseSettings& settings,
                   const StoreFolder& store, const RetrieveCallback& callback,
                   RetrieveResult& result, Tally& tally)
        : Association(server, settings), store_(store), callback_(callback), result_(result),
          tally_(tally) {}

    OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response, OFBool& go) override {
        heard();
        const OFCondition cond = Association::handleCGETResponse(presID, response, go);
        tally_.read(*response);
        warnings = response->m_numberOfWarningSubops;
        if (!tally_.final && !report())
            go = OFFalse;
        return cond;
    }

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* object,
                                   OFBool& go, Uint16& status) override {
        heard();
        std::unique_ptr<DcmDataset> owned(object);
        status = STATUS_Success;
        StoredObject known;
        known.studyUid = dicom::getString(*object, DCM_StudyInstanceUID);
        known.seriesUid = dicom::getString(*object, DCM_SeriesInstanceUID);
        known.sopInstanceUid = dicom::getString(*object, DCM_SOPInstanceUID);
        known.sopClassUid = dicom::getString(*object, DCM_SOPClassUID);
        const std::string temporary = store_.temporaryPath(known.sopInstanceUid);
        try {
            DcmFileFormat file(object, OFFalse);
            // The dataset keeps the transfer syntax it came in; the file is written in it.
            const OFCondition saved =
                file.saveFile(temporary.c_str(), EXS_Unknown, EET_UndefinedLength, EGL_recalcGL,
                              EPD_noChange, 0, 0, EWM_createNewMeta);
            file.getAndRemoveDataset(); // `owned` deletes it
            if (saved.bad())
                throw Error(std::string("cannot write the received object (") + saved.text() + ")",
                            temporary);
            result_.objects.push_back(store_.commit(temporary, std::move(known)));
            tally_.progress.received = static_cast<int>(result_.objects.size());
            tally_.progress.last = &result_.objects.back();
        } catch (const std::exception& e) { // Error, or the file system's own
            std::remove(temporary.c_str());
            status = STATUS_STORE_Refused_OutOfResources;
            storeProblem = e.what();
            go = OFFalse; // a full or read-only disk fails every object alike
        }
        if (!report())
            go = OFFalse;
        tally_.progress.last = nullptr;
        heard(); // writing the file and reporting it took our time, not the server's
        return EC_Normal;
    }

    int warnings = 0;
    std::string storeProblem;

private:
    bool report() {
        if (callback_ && !callback_(tally_.progress))
            result_.cancelled = true;
        return !result_.cancelled;
    }

    const StoreFolder& store_;
    const RetrieveCallback& callback_;
    RetrieveResult& result_;
    Tally& tally_;
};

// Storage contexts offered for C-GET. The server accepts one transfer syntax per context
// and many servers (Orthanc among them) cannot transcode every compressed syntax, so when the
// study's SOP classes are known each gets one context per transfer syntax: the objects then
// come as they are stored. An association has at most 128 contexts (one is the GET model);
// with more classes, or none known, DCMTK's list of the storage classes most used is offered
// with all syntaxes in one context each.
void addStorageContexts(Association& a, const std::vector<std::string>& studyClasses) {
    OFList<OFString> all;
    for (const std::string& ts : storageTransferSyntaxes())
        all.push_back(ts.c_str());
    const std::size_t perClass = storageTransferSyntaxes().size();
    if (!studyClasses.empty() && studyClasses.size() * perClass <= 127) {
        for (const std::string& sopClass : studyClasses)
            for (const std::string& ts : storageTransferSyntaxes()) {
                OFList<OFString> one;
                one.push_back(ts.c_str());
                a.addPresentationContext(sopClass.c_str(), one, ASC_SC_ROLE_SCP);
            }
        return;
    }
    const int n = std::min(numberOfDcmLongSCUStorageSOPClassUIDs, 127);
    for (int i = 0; i < n; ++i)
        a.addPresentationContext(dcmLongSCUStorageSOPClassUIDs[i], all, ASC_SC_ROLE_SCP);
}

std::vector<std::string> splitValues(const std::string& multi) {
    std::vector<std::string> values;
    std::size_t start = 0;
    while (start <= multi.size()) {
        const std::size_t end = std::min(multi.find('\\', start), multi.size());
        if (end > start)
            values.push_back(multi.substr(start, end - start));
        start = end + 1;
    }
    return values;
}

// Asks the server about the study first: whether it has it at all (so "no such study" can be
// said in those words) and which SOP classes it holds. Empty when it has no such study.
std::optional<std::vector<std::string>> studyClasses(const ServerAddress& server,
                                                     const DimseSettings& settings,
                                                     const std::string& studyUid) {
    QueryKeys keys;
    keys.level = QueryLevel::Study;
    keys.studyUid = studyUid;
    const std::vector<QueryMatch> matches = find(server, settings, keys);
    if (matches.empty())
        return std::nullopt;
    return splitValues(matches.front().sopClassesInStudy);
}

// C-MOVE: the server opens an association of its own to our storage SCP.
class MoveAssociation : public Association {
public:
    MoveAssociation(const ServerAddress& server, const DimseSettings& settings,
                    const RetrieveCallback& callback, Tally& tally, RetrieveResult& result,
                    std::mutex& mutex)
        : Association(server, settings), callback_(callback), tally_(tally), result_(result),
          mutex_(mutex) {}

    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID,
                                   RetrieveResponse* response, OFBool& go) override {
        heard();
        const OFCondition cond = Association::handleMOVEResponse(presID, response, go);
        tally_.read(*response);
        warnings = response->m_numberOfWarningSubops;
        if (!tally_.final && callback_) {
            RetrieveProgress p = tally_.progress;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                p.received = static_cast<int>(result_.objects.size());
            }
            if (!callback_(p)) {
                result_.cancelled = true;
                go = OFFalse;
            }
        }
        return cond;
    }

    int warnings = 0;

private:
    const RetrieveCallback& callback_;
    Tally& tally_;
    RetrieveResult& result_;
    std::mutex& mutex_;
};

} // namespace

RetrieveResult retrieveGet(const ServerAddress& server, const DimseSettings& settings,
                           const RetrieveRequest& request, const StoreFolder& store,
                           const RetrieveCallback& progress) {
    DcmDataset keys;
    buildRetrieveKeys(request, keys);
    RetrieveResult result;
    const auto classes = studyClasses(server, settings, request.studyUid);
    if (!classes) {
        result.problem = server.text() + ": the server has no study " + request.studyUid;
        return result;
    }
    Tally tally;
    GetAssociation a(server, settings, store, progress, result, tally);
    a.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel,
                             detail::uncompressedSyntaxes());
    addStorageContexts(a, *classes);
    a.open();
    const T_ASC_PresentationContextID id =
        a.contextFor(UID_GETStudyRootQueryRetrieveInformationModel, "retrieve by C-GET");
    const OFCondition cond = a.sendCGETRequest(id, &keys, nullptr);
    std::string broke;
    result.cancelled = result.cancelled || a.cancelled(); // its connection was shut down
    if (cond.bad() && !result.cancelled)
        broke = brokeOff(a, cond, "C-GET");
    a.close(result.cancelled || cond.bad());
    finish(result, tally, a.warnings);
    settle(result, broke, a.storeProblem, server);
    return result;
}

RetrieveResult retrieveMove(const ServerAddress& server, const DimseSettings& settings,
                            const RetrieveRequest& request, int listenPort,
                            const StoreFolder& store, const RetrieveCallback& progress) {
    DcmDataset keys;
    buildRetrieveKeys(request, keys);
    RetrieveResult result;
    if (!studyClasses(server, settings, request.studyUid)) {
        result.problem = server.text() + ": the server has no study " + request.studyUid;
        return result;
    }
    Tally tally;
    std::mutex mutex;
    std::string receiveProblem;
    ReceiverSettings rs;
    rs.aeTitle = settings.callingAet;
    rs.port = listenPort;
    rs.responseSeconds = settings.responseSeconds;
    StorageReceiver receiver(
        rs, store,
        [&](const StoredObject& o) {
            std::lock_guard<std::mutex> lock(mutex);
            result.objects.push_back(o);
        },
        [&](const std::string& problem) {
            std::lock_guard<std::mutex> lock(mutex);
            receiveProblem = problem;
        });
    receiver.start();
    MoveAssociation a(server, settings, progress, tally, result, mutex);
    a.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel,
                             detail::uncompressedSyntaxes());
    a.open();
    const T_ASC_PresentationContextID id =
        a.contextFor(UID_MOVEStudyRootQueryRetrieveInformationModel, "retrieve by C-MOVE");
    const OFCondition cond = a.sendMOVERequest(id, settings.callingAet.c_str(), &keys, nullptr);
    std::string broke;
    result.cancelled = result.cancelled || a.cancelled(); // its connection was shut down
    if (cond.bad() && !result.cancelled)
        broke = brokeOff(a, cond, "C-MOVE");
    a.close(result.cancelled || cond.bad());
    receiver.stop();
    finish(result, tally, a.warnings);
    settle(result, broke, receiveProblem, server);
    // Servers differ in how they refuse a destination they do not know (Orthanc answers
    // 0xC000 and logs "Unknown modality"); say what to check when nothing came at all.
    if (!result.complete && result.objects.empty() && broke.empty() &&
        (tally.finalStatus == 0xC000 || (tally.finalStatus & 0xF000) == 0xA000) &&
        tally.finalStatus != 0xA801 && (tally.finalStatus & 0xFF00) != 0xA700)
        result.problem += ". If the PACS does not know our AE title \"" + settings.callingAet +
                          "\" as a move destination, register it there with this computer's "
                          "address and port " +
                          std::to_string(listenPort) + ", or retrieve with C-GET";
    return result;
}

std::string checkMoveDestination(const ServerAddress& server, const DimseSettings& settings,
                                 int listenPort, const std::string& studyUid) {
    QueryKeys keys;
    keys.level = QueryLevel::Series;
    keys.studyUid = studyUid;
    RetrieveRequest one{studyUid, {}, {}};
    for (const QueryMatch& series : find(server, settings, keys)) {
        QueryKeys images;
        images.level = QueryLevel::Image;
        images.studyUid = studyUid;
        images.seriesUid = series.seriesUid;
        const std::vector<QueryMatch> found = find(server, settings, images);
        if (!found.empty() && !found.front().sopInstanceUid.empty()) {
            one.seriesUid = series.seriesUid;
            one.sopInstanceUid = found.front().sopInstanceUid;
            break;
        }
    }
    if (one.sopInstanceUid.empty())
        return server.text() + ": the study " + studyUid +
               " has no image to move, so whether the server can send to us by C-MOVE is "
               "not known";
    std::error_code ec;
    const fs::path folder =
        fs::temp_directory_path(ec) /
        ("spinelens-move-check-" + std::to_string(::getpid()) + "-" + std::to_string(listenPort));
    std::string problem;
    {
        const StoreFolder store(folder.string());
        const RetrieveResult r = retrieveMove(server, settings, one, listenPort, store);
        if (r.objects.empty())
            problem = r.problem.empty() ? server.text() + ": the image did not arrive" : r.problem;
    }
    fs::remove_all(folder, ec);
    return problem;
}

} // namespace spinelens::net
