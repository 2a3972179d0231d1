#pragma once
// Makes gallery thumbnails off the GUI thread: decode the case's image, blend its stored
// Grad-CAM map, shrink. Requests are served newest first and the queue is bounded, so while the
// user scrolls fast the thumbnails in view come first and the ones scrolled past are dropped.
// Unlike LatestWork's "latest request wins", every request here is wanted (a gallery shows many
// thumbnails at once), and one worker drains the stack with the run file kept open; the pool and
// the priority come from LatestWork.h like everywhere else.
#include "util/LatestWork.h"

#include <QImage>
#include <QObject>

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace spinelens::ui {

struct ThumbnailJob {
    int caseIndex = 0;
    std::string imagePath;
    std::int64_t caseId = 0;
    int mapClass = -1; ///< stored Grad-CAM map to blend; -1 for the image alone
    bool imageMissing = false;
};

class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailLoader(QObject* parent = nullptr);
    ~ThumbnailLoader() override;

    /// Forgets queued work and results still in flight; later requests read this run file.
    void reset(const QString& runPath, int size);
    void request(const ThumbnailJob& job);
    int size() const { return size_; }
    /// Blocks until queued work is done (tests and benchmarks).
    void waitForIdle();

Q_SIGNALS:
    void ready(int caseIndex, int mapClass, const QImage& thumbnail);

private:
    void drain(std::uint64_t generation, QString runPath, int size);
    QImage render(const ThumbnailJob& job, const void* run, int size) const;

    SerialPool pool_;
    std::mutex mutex_;
    std::vector<ThumbnailJob> stack_; ///< newest at the back
    std::set<std::pair<int, int>> queued_;
    int runners_ = 0;
    std::uint64_t generation_ = 0;
    QString runPath_;
    int size_ = 128;
};

} // namespace spinelens::ui
