#pragma once
// A DICOM storage SCP: accepts C-ECHO and C-STORE of every storage SOP class addressed to our
// AE title and files each object into a StoreFolder (complete files only). Used by
// `spinelens-cli receive`, by C-MOVE retrieves, and by the viewer's receiver setting.
#include "net/StoreFolder.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace spinelens::net {

struct ReceiverSettings {
    std::string aeTitle = "SPINELENS";
    int port = 11112;
    /// Accept associations whatever AE title the caller addressed (off: only ours; a wrong
    /// one is rejected with "called AE title not recognized").
    bool anyCalledAet = false;
    int responseSeconds = 60;
};

class StorageReceiver {
public:
    using StoredHandler = std::function<void(const StoredObject&)>;
    using ProblemHandler = std::function<void(const std::string&)>;

    /// Handlers run on the receiver's thread.
    StorageReceiver(ReceiverSettings settings, const StoreFolder& store,
                    StoredHandler onStored = {}, ProblemHandler onProblem = {});
    ~StorageReceiver(); ///< stops and waits for the thread
    StorageReceiver(const StorageReceiver&) = delete;
    StorageReceiver& operator=(const StorageReceiver&) = delete;

    /// Opens the port (throws Error naming it when it is taken or not allowed), then serves on
    /// a thread of its own until stop().
    void start();
    /// Finishes the association in progress, stops listening and waits; returns within about
    /// a second when idle.
    void stop();

    int received() const { return received_.load(); }
    int failed() const { return failed_.load(); }

private:
    class Scp;
    ReceiverSettings settings_;
    const StoreFolder& store_;
    StoredHandler onStored_;
    ProblemHandler onProblem_;
    std::unique_ptr<Scp> scp_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> received_{0}, failed_{0};
};

/// Transfer syntaxes we accept for storage (uncompressed first, then every compressed one the
/// readers decode), as UIDs.
const std::vector<std::string>& storageTransferSyntaxes();

} // namespace spinelens::net
