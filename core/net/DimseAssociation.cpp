#include "net/DimseAssociation.h"

#include "Error.h"

#include <algorithm>

#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sys/socket.h>

namespace spinelens::net::detail {

// DCMTK logs every failure itself at WARN/ERROR level on stderr; our messages say it once,
// in words, so its own logger is quietened. And Debian's DCMTK leaves Nagle's algorithm on
// unless the environment says TCP_NODELAY=1: every C-STORE then waits ~40 ms for a delayed
// ACK (measured: 100 slices by C-GET from a local Orthanc in 4.6 s with it, 0.4 s without).
// A value the user set is kept.
void prepareDcmtkNetwork() {
    static std::once_flag once;
    std::call_once(once, [] {
        setenv("TCP_NODELAY", "1", 0);
        dcmtk::log4cplus::Logger::getInstance("dcmtk.dcmnet")
            .setLogLevel(dcmtk::log4cplus::FATAL_LOG_LEVEL);
        dcmtk::log4cplus::Logger::getInstance("dcmtk.dcmdata")
            .setLogLevel(dcmtk::log4cplus::FATAL_LOG_LEVEL);
    });
}

namespace {

std::string rejectionWords(const T_ASC_RejectParameters& r, const std::string& calling,
                           const std::string& called) {
    const std::string lasting =
        r.result == ASC_RESULT_REJECTEDTRANSIENT ? " (temporarily; try again later)" : "";
    switch (r.reason) {
    case ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED:
        return "the server rejected the association: it does not answer to the AE title \"" +
               called + "\" (called AE title not recognized; check the server's AE title)";
    case ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED:
        return "the server rejected the association: it does not know our AE title \"" + calling +
               "\" (calling AE title not recognized; register it on the PACS)";
    case ASC_REASON_SU_APPCONTEXTNAMENOTSUPPORTED:
        return "the server rejected the association: application context not supported";
    case ASC_REASON_SP_ACSE_PROTOCOLVERSIONNOTSUPPORTED:
        return "the server rejected the association: protocol version not supported";
    case ASC_REASON_SP_PRES_TEMPORARYCONGESTION:
        return "the server rejected the association: it is busy" + lasting;
    case ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED:
        return "the server rejected the association: too many connections" + lasting;
    default:
        return "the server rejected the association (no reason given)" + lasting;
    }
}

// DcmSCU keeps the reject parameters to itself, so on a rejection a second, minimal request
// (Verification only) is made to learn why.
std::string whyRejected(const ServerAddress& server, const DimseSettings& settings) {
    T_ASC_Network* net = nullptr;
    if (ASC_initializeNetwork(NET_REQUESTOR, 0, settings.connectSeconds, &net).bad())
        return "the server rejected the association";
    T_ASC_Parameters* params = nullptr;
    ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU);
    ASC_setAPTitles(params, settings.callingAet.c_str(), server.calledAet.c_str(), nullptr);
    const std::string peer = server.host + ":" + std::to_string(server.port);
    ASC_setPresentationAddresses(params, "localhost", peer.c_str());
    const char* syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
    ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, syntaxes, 1);
    T_ASC_Association* assoc = nullptr;
    const OFCondition cond = ASC_requestAssociation(net, params, &assoc);
    std::string words = "the server rejected the association";
    if (cond == DUL_ASSOCIATIONREJECTED) {
        T_ASC_RejectParameters reject;
        ASC_getRejectParameters(params, &reject);
        words = rejectionWords(reject, settings.callingAet, server.calledAet);
    } else if (cond.good()) {
        words = "the server rejected the association for these services (it accepts a plain "
                "connection, so it may not offer this service to our AE title)";
        ASC_releaseAssociation(assoc);
    }
    if (assoc)
        ASC_destroyAssociation(&assoc); // also frees params
    else
        ASC_destroyAssociationParameters(&params);
    ASC_dropNetwork(&net);
    return words;
}

std::string connectWords(const OFCondition& cond, const ServerAddress& server,
                         const DimseSettings& settings) {
    const std::string text = cond.text();
    const std::string where = server.host + ":" + std::to_string(server.port);
    auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
    if (cond == DUL_ASSOCIATIONREJECTED)
        return whyRejected(server, settings);
    if (has("refused"))
        return "nothing accepts connections at " + where +
               " (connection refused): is the "
               "server running on this port?";
    if (has("Unknown host") || has("not known") || has("resolve"))
        return "the host name \"" + server.host + "\" is not known";
    if (cond == DUL_READTIMEOUT) // TCP connected (a stopped process's kernel still accepts)
        return "no answer from " + where + " within " +
               std::to_string(std::min(settings.connectSeconds, settings.responseSeconds)) +
               " s: it accepted the connection but not the association (is the server hung or "
               "overloaded?)";
    if (has("timed out") || has("Timeout") || has("timeout"))
        return "no answer from " + where + " within " + std::to_string(settings.connectSeconds) +
               " s (host unreachable or a firewall drops the connection)";
    if (has("unreachable"))
        return "the host " + server.host + " is unreachable (" + text + ")";
    if (cond == NET_EC_NoAcceptablePresentationContexts)
        return "the server accepts none of the services we asked for";
    if (cond == DUL_PEERABORTEDASSOCIATION || cond == DUL_PEERREQUESTEDRELEASE)
        return "the server closed the connection while the association was negotiated";
    return "could not open an association (" + text + ")";
}

} // namespace

Error serverError(const ServerAddress& server, const std::string& what) {
    return Error(what, server.text());
}

OFList<OFString> uncompressedSyntaxes() {
    OFList<OFString> list;
    list.push_back(UID_LittleEndianExplicitTransferSyntax);
    list.push_back(UID_BigEndianExplicitTransferSyntax);
    list.push_back(UID_LittleEndianImplicitTransferSyntax);
    return list;
}

void SocketWatch::watch(int socket) {
    std::lock_guard<std::mutex> lock(mutex_);
    socket_ = socket;
}

void SocketWatch::forget() {
    std::lock_guard<std::mutex> lock(mutex_);
    socket_ = -1;
}

void SocketWatch::shutDown() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (socket_ >= 0)
        ::shutdown(socket_, SHUT_RDWR); // the blocked read returns: "connection closed"
}

namespace {

// A plain TCP connection that tells its SocketWatch when it closes.
class WatchedConnection : public DcmTCPConnection {
public:
    WatchedConnection(DcmNativeSocketType socket, SocketWatch& watch)
        : DcmTCPConnection(socket), watch_(watch) {
        watch_.watch(socket);
    }
    ~WatchedConnection() override { watch_.forget(); } // before the base closes the socket
    void closeTransportConnection() override {
        watch_.forget();
        DcmTCPConnection::closeTransportConnection();
    }

private:
    SocketWatch& watch_;
};

// DCMTK's hook for making connections (meant for TLS): plain TCP ones that can be watched.
// DcmSCU uses a transport layer only with its "secure" switch on; a plain connection's
// handshake does nothing, so the association is the ordinary unencrypted one.
class WatchedTcpLayer : public DcmTransportLayer {
public:
    explicit WatchedTcpLayer(SocketWatch& watch) : watch_(watch) {}
    DcmTransportConnection* createConnection(DcmNativeSocketType socket, OFBool) override {
        return new WatchedConnection(socket, watch_);
    }

private:
    SocketWatch& watch_;
};

} // namespace

Association::Association(const ServerAddress& server, const DimseSettings& settings)
    : server_(server), settings_(settings) {
    prepareDcmtkNetwork();
    if (settings.cancellation) {
        layer = std::make_unique<WatchedTcpLayer>(watch);
        hook = settings.cancellation->onCancel([this] { watch.shutDown(); });
    }
    if (server.protocol != ServerAddress::Protocol::Dimse)
        throw Error("this is a DICOMweb address; DIMSE needs dicom://AET@host:port", server.text());
    checkAeTitle(settings.callingAet, "calling AE title");
    setAETitle(settings.callingAet.c_str());
    setPeerAETitle(server.calledAet.c_str());
    setPeerHostName(server.host.c_str());
    setPeerPort(static_cast<Uint16>(server.port));
    setConnectionTimeout(settings.connectSeconds);
    // The ACSE timeout also bounds how long an abort waits for the server to hang up: a server
    // that stopped answering must not hold us for longer than the response timeout again.
    setACSETimeout(
        static_cast<Uint32>(std::min(settings.connectSeconds, settings.responseSeconds)));
    setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    setDIMSETimeout(static_cast<Uint32>(settings.responseSeconds));
    setMaxReceivePDULength(ASC_MAXIMUMPDUSIZE);
    setProgressNotificationMode(OFFalse);
}

Association::~Association() {
    if (isConnected())
        abortAssociation();
}

void Association::open() {
    // DCMTK reads a PDU's body with a blocking read bounded only by the socket's own timeout
    // (60 s by default): a server that stops in the middle of a PDU held us that long, past
    // the response timeout. The socket timeouts are set when the connection is made.
    dcmSocketReceiveTimeout.set(static_cast<Sint32>(settings_.responseSeconds));
    dcmSocketSendTimeout.set(static_cast<Sint32>(settings_.responseSeconds));
    OFCondition cond = initNetwork();
    if (cond.good() && layer) // needs the network initNetwork() made
        cond = useSecureConnection(layer.get());
    if (cond.good())
        cond = negotiateAssociation();
    if (cond.bad())
        throw serverError(server_, connectWords(cond, server_, settings_));
    heard();
}

void Association::close(bool abort) {
    if (!isConnected())
        return;
    if (abort)
        abortAssociation();
    else
        releaseAssociation();
}

T_ASC_PresentationContextID Association::contextFor(const char* sopClass, const char* serviceName) {
    const T_ASC_PresentationContextID id = findAnyPresentationContextID(sopClass, "");
    if (id == 0)
        throw serverError(server_, std::string("the server does not offer ") + serviceName +
                                       " to our AE title \"" + settings_.callingAet + "\"");
    return id;
}

void Association::check(const OFCondition& cond, const std::string& operation) const {
    if (cond.good())
        return;
    if (cancelled())
        throw serverError(server_, operation + " cancelled");
    const std::string text = cond.text();
    // A server frozen in the middle of a PDU ends in a failed socket read that DCMTK reports
    // like a closed connection; the silence before it tells the two apart.
    const bool silent = std::chrono::steady_clock::now() - lastHeard_ >=
                        std::chrono::milliseconds(settings_.responseSeconds * 1000 - 250);
    const bool closed = text.find("closed") != std::string::npos || cond == DUL_NETWORKCLOSED ||
                        text.find("TCP I/O") != std::string::npos;
    if (cond == DIMSE_NODATAAVAILABLE || text.find("imeout") != std::string::npos ||
        (closed && silent))
        throw serverError(server_, operation + " stopped: no answer for " +
                                       std::to_string(settings_.responseSeconds) + " s");
    if (cond == DUL_PEERABORTEDASSOCIATION)
        throw serverError(server_, operation + " stopped: the server aborted the association");
    if (closed)
        throw serverError(server_, operation + " stopped: the server closed the connection");
    throw serverError(server_, operation + " failed (" + text + ")");
}

} // namespace spinelens::net::detail
