// C-STORE of files and folders with DCMTK's DcmStorageSCU (which proposes a presentation
// context per SOP class and transfer syntax found, and opens further associations when more
// than 128 are needed).
#include "net/Dimse.h"
#include "net/DimseAssociation.h"

#include "Error.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dstorscu.h>

#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace spinelens::net {
namespace {

class Sender : public DcmStorageSCU {
public:
    std::map<std::string, Uint16> statusByFile; ///< files that got a response
    std::function<void(int, int)> progress;
    int total = 0;

protected:
    void notifySOPInstanceSent(const TransferEntry& entry) override {
        if (entry.RequestSent)
            statusByFile[entry.Filename.getCharPointer()] = entry.ResponseStatusCode;
        if (progress)
            progress(static_cast<int>(statusByFile.size()), total);
    }
};

std::vector<std::string> expand(const std::vector<std::string>& paths, SendResult& result) {
    std::vector<std::string> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (fs::recursive_directory_iterator
                     it(p, fs::directory_options::skip_permission_denied, ec),
                 end;
                 !ec && it != end; it.increment(ec)) {
                const std::string name = it->path().filename().string();
                if (!name.empty() && name[0] == '.') {
                    if (it->is_directory())
                        it.disable_recursion_pending();
                    continue;
                }
                if (it->is_regular_file())
                    files.push_back(it->path().string());
            }
        } else if (fs::is_regular_file(p, ec)) {
            files.push_back(p);
        } else {
            result.failures.push_back({p, "no such file or folder"});
        }
    }
    return files;
}

} // namespace

SendResult send(const ServerAddress& server, const DimseSettings& settings,
                const std::vector<std::string>& paths,
                const std::function<void(int, int)>& progress) {
    SendResult result;
    // A throwaway Association checks the address and our AE title the same way as the
    // other operations do.
    detail::Association probe(server, settings);
    // Verification only: enough for the probe to connect and be accepted or rejected (with
    // no presentation context DCMTK refuses before connecting, hiding the real reason).
    probe.addPresentationContext(UID_VerificationSOPClass, detail::uncompressedSyntaxes());
    Sender s;
    s.setAETitle(settings.callingAet.c_str());
    s.setPeerAETitle(server.calledAet.c_str());
    s.setPeerHostName(server.host.c_str());
    s.setPeerPort(static_cast<Uint16>(server.port));
    s.setConnectionTimeout(settings.connectSeconds);
    s.setACSETimeout(static_cast<Uint32>(settings.connectSeconds));
    s.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    s.setDIMSETimeout(static_cast<Uint32>(settings.responseSeconds));
    s.setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
    s.setHaltOnUnsuccessfulStoreMode(OFFalse);
    s.setProgressNotificationMode(OFFalse);

    std::vector<std::string> added;
    for (const std::string& f : expand(paths, result)) {
        if (fs::path(f).filename() == "DICOMDIR") {
            result.failures.push_back({f, "a DICOMDIR is an index, not an image: not sent"});
            continue;
        }
        const OFCondition cond = s.addDicomFile(f.c_str(), ERM_fileOnly, OFFalse);
        if (cond.bad())
            result.failures.push_back(
                {f, std::string("not sent: not a DICOM file we can send (") + cond.text() + ")"});
        else
            added.push_back(f);
    }
    s.total = static_cast<int>(added.size());
    s.progress = progress;
    if (added.empty())
        return result;

    OFCondition cond;
    std::string broke;
    while ((cond = s.addPresentationContexts()).good()) {
        cond = s.initNetwork(); // takes the contexts just added
        if (cond.good())
            cond = s.negotiateAssociation();
        if (cond.bad()) {
            // Re-run through the common path to get the rejection in words.
            try {
                probe.open();
                probe.close();
                broke = std::string("could not open an association (") + cond.text() + ")";
            } catch (const Error& e) {
                broke = e.reason();
            }
            break;
        }
        cond = s.sendSOPInstances();
        s.releaseAssociation();
        if (cond.bad()) {
            broke = std::string("C-STORE stopped (") + cond.text() + ")";
            break;
        }
    }
    if (cond.bad() && cond != NET_EC_NoSOPInstancesToSend && broke.empty())
        broke = std::string("C-STORE failed (") + cond.text() + ")";
    if (!broke.empty() && s.statusByFile.empty())
        throw detail::serverError(server, broke + "; nothing was sent");
    for (const std::string& f : added) {
        const auto it = s.statusByFile.find(f);
        if (it == s.statusByFile.end())
            result.failures.push_back(
                {f, broke.empty() ? "not sent: the server accepted no presentation context for "
                                    "its SOP class and transfer syntax"
                                  : "not sent: " + server.text() + ": " + broke});
        else if (it->second == 0 || (it->second & 0xF000) == 0xB000)
            ++result.sent;
        else
            result.failures.push_back(
                {f, "refused by " + server.text() + ": " + describeStatus(it->second)});
    }
    return result;
}

} // namespace spinelens::net
