#pragma once
// Files received objects into a StoreFolder on a thread of its own, so that a connection keeps
// receiving while the previous object is written, its header read and renamed into place
// (WADO-RS hands over whole objects from the socket's thread; filing them there stalled it).
#include "net/StoreFolder.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace spinelens::net {

class BackgroundFiler {
public:
    /// One object's outcome: filed (object set) or refused (problem names why).
    struct Filed {
        bool ok = false;
        StoredObject object;
        std::string problem;
    };

    explicit BackgroundFiler(const StoreFolder& store);
    /// Stops without waiting for what is queued (its temporary files are removed).
    ~BackgroundFiler();
    BackgroundFiler(const BackgroundFiler&) = delete;
    BackgroundFiler& operator=(const BackgroundFiler&) = delete;

    /// Queues one complete object (the string is taken over). Blocks while more than a bounded
    /// number of bytes wait, so a fast server and a slow disk cannot fill memory. Throws the
    /// Error of a failed write (disk full, folder gone): nothing more can be stored.
    void add(std::string object);
    /// The outcomes since the last call, in arrival order.
    std::vector<Filed> take();
    /// The storage of objects already written, to be reused for the next ones.
    std::vector<std::string> takeSpares();
    /// Waits until everything queued is filed; throws like add().
    void finish();

private:
    void run();
    void throwIfBroken(); // with mutex_ held

    const StoreFolder& store_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::string> queue_;
    std::size_t queuedBytes_ = 0;
    bool busy_ = false; ///< the thread holds an object taken from the queue
    std::vector<Filed> filed_;
    std::vector<std::string> spares_;
    std::string broken_, brokenWhere_; ///< a write failed: reason and path
    bool stop_ = false;
    std::thread thread_;
};

} // namespace spinelens::net
