#pragma once
// Internal to core/net: one configured DCMTK association with a server, and the plain-words
// translation of what can go wrong while opening and using it.
#include "Error.h"
#include "net/Dimse.h"

#include <dcmtk/dcmnet/dcmlayer.h>
#include <dcmtk/dcmnet/scu.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spinelens::net::detail {

/// The socket of an association's connection, for cancel() to shut down from another thread
/// while the association's own thread is blocked reading it. Guarded, so a socket already
/// closed (its number perhaps reused) is never touched.
class SocketWatch {
public:
    void watch(int socket);
    void forget();
    void shutDown();

private:
    std::mutex mutex_;
    int socket_ = -1;
};

/// Holds what must outlive the DcmSCU base, which closes the connection in its destructor.
struct CancelSupport {
    SocketWatch watch;
    std::unique_ptr<DcmTransportLayer> layer;
    Cancellation::Hook hook;
};

/// A DcmSCU set up from an address and our settings (AE titles, timeouts, non-blocking DIMSE
/// so a server that stops answering ends in a timeout rather than a hang). With a
/// Cancellation in the settings, cancelling shuts its connection down at once.
class Association : private CancelSupport, public DcmSCU {
public:
    Association(const ServerAddress& server, const DimseSettings& settings);
    ~Association() override;

    /// Negotiates the contexts added so far; throws Error with the reason on failure.
    void open();
    /// Releases (or aborts, when the operation was cancelled or broke) the association.
    void close(bool abort = false);

    /// The first accepted context for `sopClass`; throws Error when the server accepted none.
    T_ASC_PresentationContextID contextFor(const char* sopClass, const char* serviceName);

    /// Throws Error for a failed DIMSE exchange (timeouts, aborts), naming `operation`.
    void check(const OFCondition& cond, const std::string& operation) const;

    /// Whether the settings' Cancellation was cancelled (the connection was shut down).
    bool cancelled() const { return isCancelled(settings_.cancellation); }

    const ServerAddress& server() const { return server_; }
    const DimseSettings& settings() const { return settings_; }

    /// Each C-FIND response is a sign of life (see heard()).
    OFCondition handleFINDResponse(T_ASC_PresentationContextID presID, QRResponse* response,
                                   OFBool& waitForNextResponse) override {
        heard();
        return DcmSCU::handleFINDResponse(presID, response, waitForNextResponse);
    }

protected:
    /// Subclasses call this whenever the server was heard from (a response, an object), so a
    /// read that fails after a silence as long as the response timeout is named a timeout.
    void heard() { lastHeard_ = std::chrono::steady_clock::now(); }

private:
    ServerAddress server_;
    DimseSettings settings_;
    std::chrono::steady_clock::time_point lastHeard_ = std::chrono::steady_clock::now();
};

/// Once per process, before the first association: DCMTK's logging and socket options.
void prepareDcmtkNetwork();

/// Uncompressed transfer syntaxes for query and retrieve requests.
OFList<OFString> uncompressedSyntaxes();

/// A server-side error in words: "dicom://AET@host:port: what".
Error serverError(const ServerAddress& server, const std::string& what);

} // namespace spinelens::net::detail
