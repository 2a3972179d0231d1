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

#include <cstdint>
#include <type_traits>
#include <utility>

namespace spinelens::ui {

enum class WorkPriority {
    Interactive, ///< the user waits for it (a thumbnail, a case): normal priority
    Background   ///< long or heavy (a scan, a series load): lowered, so the UI stays smooth
};

class LatestWork {
public:
    /// Results are delivered on `owner`'s thread, and never after `owner` is destroyed.
    /// `pool` null: Qt's global pool.
    LatestWork(QObject* owner, WorkPriority priority, QThreadPool* pool = nullptr)
        : owner_(owner), priority_(priority), pool_(pool ? pool : QThreadPool::globalInstance()) {}

    /// Starts a new request: results of earlier ones still running will be dropped.
    std::uint64_t invalidate() { return ++generation_; }
    std::uint64_t generation() const { return generation_; }
    bool isCurrent(std::uint64_t generation) const { return generation == generation_; }

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
        submit(generation_, std::move(work), std::move(done));
    }

private:
    template <typename Work, typename Done>
    void submit(std::uint64_t generation, Work work, Done done) {
        using Result = std::invoke_result_t<Work>;
        auto* watcher = new QFutureWatcher<Result>(owner_);
        QObject::connect(watcher, &QFutureWatcherBase::finished, owner_,
                         [this, watcher, generation, done = std::move(done)] {
                             watcher->deleteLater();
                             if (isCurrent(generation))
                                 done(watcher->result());
                         });
        const bool background = priority_ == WorkPriority::Background;
        watcher->setFuture(QtConcurrent::run(pool_, [work = std::move(work), background] {
            if (background)
                lowerCurrentThreadPriority();
            return work();
        }));
    }

    QObject* owner_;
    WorkPriority priority_;
    QThreadPool* pool_;
    std::uint64_t generation_ = 0;
};

} // namespace spinelens::ui
