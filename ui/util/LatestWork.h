#pragma once
// The UI's one way of doing work off the GUI thread: run a job on a pool, hand its result back
// on the owner's thread, and drop it if a newer request has come since ("latest request
// wins"). Which pool and which thread priority are decided here, per kind of work, instead of
// in each widget.
#include "util/ThreadPriority.h"

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace spinelens::ui {

enum class WorkPriority {
    Interactive, ///< the user waits for it (a thumbnail, a case): normal priority
    Background   ///< long or heavy (a scan, a series load): lowered, so the UI stays smooth
};

/// Enters the priority for a kind of work on the calling pool thread. Qt's own thread priority
/// does nothing for ordinary Linux threads, so background work lowers its nice value instead.
inline void enterWorkPriority(WorkPriority priority) {
    if (priority == WorkPriority::Background)
        lowerCurrentThreadPriority();
}

/// A private pool of one thread, for work that must run alone and in order (the model, the
/// study loader, a run's thumbnails) and must not take both cores from the window. Waits for
/// its job when destroyed, so nothing runs against a destroyed owner.
class SerialPool : public QThreadPool {
public:
    SerialPool() { setMaxThreadCount(1); }
    ~SerialPool() override { waitForDone(); }
};

class LatestWork {
public:
    /// Results are delivered on `owner`'s thread, and never after `owner` is destroyed.
    /// `pool` null: Qt's global pool for interactive work; background work, whose threads are
    /// reniced for good, gets a SerialPool of its own instead of lowering shared threads.
    LatestWork(QObject* owner, WorkPriority priority, QThreadPool* pool = nullptr)
        : owner_(owner), priority_(priority),
          ownPool_(!pool && priority == WorkPriority::Background ? new SerialPool : nullptr),
          pool_(pool       ? pool
                : ownPool_ ? ownPool_.get()
                           : QThreadPool::globalInstance()) {}
    // Its pending results hold `this`: a copy would answer for the original.
    LatestWork(const LatestWork&) = delete;
    LatestWork& operator=(const LatestWork&) = delete;

    /// Starts a new request: results of earlier ones still running will be dropped.
    std::uint64_t invalidate() { return ++*generation_; }
    std::uint64_t generation() const { return *generation_; }
    bool isCurrent(std::uint64_t generation) const { return generation == *generation_; }

    /// A new request: runs `work()` on the pool and `done(result)` on the owner's thread,
    /// unless another request has started meanwhile. Returns the request's generation.
    template <typename Work, typename Done> std::uint64_t run(Work work, Done done) {
        const std::uint64_t generation = invalidate();
        submit(generation, std::move(work), std::move(done));
        return generation;
    }

    /// One more job of the current request (the thumbnails of one scan): its result is
    /// dropped once a new request starts.
    template <typename Work, typename Done> void add(Work work, Done done) {
        submit(*generation_, std::move(work), std::move(done));
    }

    /// Like run(), but one job at a time: a request made while one runs waits, replacing any
    /// request already waiting, and the running one's result is dropped as stale when it ends.
    /// Scrolling through 200 slices thus runs a couple of inferences, not 200 queued ones.
    template <typename Work, typename Done> void runOneAtATime(Work work, Done done) {
        const std::uint64_t generation = invalidate();
        std::function<void()> start = [this, generation, work = std::move(work),
                                       done = std::move(done)] { submit(generation, work, done); };
        if (running_) {
            waiting_ = std::move(start);
            return;
        }
        start();
    }

    /// Forgets the waiting request and drops the results of those running.
    void cancel() {
        invalidate();
        waiting_ = nullptr;
    }

private:
    template <typename Work, typename Done>
    void submit(std::uint64_t generation, Work work, Done done) {
        using Result = std::invoke_result_t<Work>;
        auto* watcher = new QFutureWatcher<Result>(owner_);
        ++running_;
        QObject::connect(watcher, &QFutureWatcherBase::finished, owner_,
                         [this, watcher, generation, done = std::move(done)] {
                             watcher->deleteLater();
                             --running_;
                             if (waiting_ && !running_) {
                                 // A newer request waited for this one: run it; this
                                 // result is stale (its generation is no longer current).
                                 auto next = std::move(waiting_);
                                 waiting_ = nullptr;
                                 next();
                             }
                             if (isCurrent(generation))
                                 done(watcher->result());
                         });
        // A job that a newer request made stale before it started is not run: stepping
        // through ten studies queues ten whole-series inferences, of which only the last counts.
        watcher->setFuture(QtConcurrent::run(
            pool_,
            [current = generation_, generation, work = std::move(work), p = priority_]() -> Result {
                if (*current != generation)
                    return Result{};
                enterWorkPriority(p);
                return work();
            }));
    }

    QObject* owner_;
    WorkPriority priority_;
    std::unique_ptr<SerialPool> ownPool_;
    QThreadPool* pool_;
    /// Shared with queued jobs, which may start after this object is gone.
    std::shared_ptr<std::atomic<std::uint64_t>> generation_ =
        std::make_shared<std::atomic<std::uint64_t>>(0);
    int running_ = 0;               ///< jobs submitted and not yet finished
    std::function<void()> waiting_; ///< runOneAtATime's next request, if any
};

} // namespace spinelens::ui
