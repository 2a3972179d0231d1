#include "runs/ThumbnailLoader.h"

#include "eval/CasePreview.h"
#include "eval/RunFile.h"
#include "study/CaseImage.h"

#include <QPainter>
#include <QPointer>

#include <memory>

namespace spinelens::ui {
namespace {
// Requests beyond this many are the ones scrolled past longest ago: dropped.
constexpr std::size_t kMaxQueued = 256;
} // namespace

// One thread (SerialPool) leaves the other core to the GUI and the case view's own decoding; a
// 300 x 300 PNG plus its map takes a few milliseconds, so one thread keeps up with scrolling.
ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent) {}

ThumbnailLoader::~ThumbnailLoader() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++generation_;
        stack_.clear();
        queued_.clear();
    }
    pool_.waitForDone();
}

void ThumbnailLoader::reset(const QString& runPath, int size) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    stack_.clear();
    queued_.clear();
    runPath_ = runPath;
    size_ = size;
}

void ThumbnailLoader::request(const ThumbnailJob& job) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!queued_.insert({job.caseIndex, job.mapClass}).second)
        return;
    stack_.push_back(job);
    if (stack_.size() > kMaxQueued) {
        const ThumbnailJob& oldest = stack_.front();
        queued_.erase({oldest.caseIndex, oldest.mapClass});
        stack_.erase(stack_.begin());
    }
    if (runners_ < pool_.maxThreadCount()) {
        ++runners_;
        const std::uint64_t generation = generation_;
        const QString path = runPath_;
        const int size = size_;
        pool_.start([this, generation, path, size] { drain(generation, path, size); });
    }
}

void ThumbnailLoader::waitForIdle() {
    pool_.waitForDone();
}

void ThumbnailLoader::drain(std::uint64_t generation, QString runPath, int size) {
    // The user is looking at the gallery and waits for these: normal priority.
    enterWorkPriority(WorkPriority::Interactive);
    std::unique_ptr<eval::RunFile> run;
    try {
        run = eval::RunFile::open(runPath.toStdString(), false);
    } catch (const std::exception&) {
        // Thumbnails then show the image alone; the browser already reported the file.
    }
    for (;;) {
        ThumbnailJob job;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (generation != generation_ || stack_.empty()) {
                --runners_;
                // Requests made after a reset found this runner still counted and started
                // none: drain them for the run now open.
                if (generation != generation_ && !stack_.empty()) {
                    ++runners_;
                    const std::uint64_t current = generation_;
                    const QString path = runPath_;
                    const int currentSize = size_;
                    pool_.start(
                        [this, current, path, currentSize] { drain(current, path, currentSize); });
                }
                return;
            }
            job = stack_.back();
            stack_.pop_back();
        }
        const QImage image = render(job, run.get(), size);
        QPointer<ThumbnailLoader> self(this);
        QMetaObject::invokeMethod(
            this,
            [self, generation, job, image] {
                if (!self)
                    return;
                {
                    std::lock_guard<std::mutex> lock(self->mutex_);
                    if (generation != self->generation_)
                        return;
                    self->queued_.erase({job.caseIndex, job.mapClass});
                }
                Q_EMIT self->ready(job.caseIndex, job.mapClass, image);
            },
            Qt::QueuedConnection);
    }
}

QImage ThumbnailLoader::render(const ThumbnailJob& job, const void* runPtr, int size) const {
    const auto* run = static_cast<const eval::RunFile*>(runPtr);
    std::optional<eval::StoredHeatmap> map;
    if (run && job.mapClass >= 0) {
        try {
            map = run->heatmap(job.caseId, job.mapClass);
        } catch (const std::exception&) {
        }
    }
    CaseImage image;
    QString problem;
    if (!job.imageMissing) {
        try {
            image = loadCaseImage(job.imagePath);
        } catch (const std::exception&) {
            problem = tr("unreadable");
        }
    } else {
        problem = tr("image moved");
    }
    if (!problem.isEmpty()) {
        // The stored map still says where the model looked: show it on black.
        image.width = map ? map->width : 64;
        image.height = map ? map->height : 64;
        image.pixels.assign(std::size_t(image.width) * image.height, 0.0f);
    }
    const eval::RgbPreview p = eval::renderCasePreview(image, map ? &*map : nullptr, size, 0.45f);
    QImage out(p.rgb.data(), p.width, p.height, p.width * 3, QImage::Format_RGB888);
    out = out.copy();
    if (!problem.isEmpty()) {
        QPainter painter(&out);
        painter.setPen(Qt::white);
        painter.drawText(out.rect(), Qt::AlignCenter, problem);
    }
    return out;
}

} // namespace spinelens::ui
