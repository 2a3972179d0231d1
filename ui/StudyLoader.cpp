#include "StudyLoader.h"

#include "Error.h"
#include "study/Scanner.h"

#include <QPointer>
#include <QtConcurrent>

namespace spinelens::ui {

StudyLoader::StudyLoader(QObject* parent) : QObject(parent) {}

StudyLoader::~StudyLoader() {
    cancel();
    pool_.waitForDone();
}

void StudyLoader::cancel() {
    if (cancelFlag_)
        *cancelFlag_ = true;
    work_.invalidate();
    busy_ = false;
}

void StudyLoader::scan(const QStringList& paths) {
    cancel();
    busy_ = true;
    std::vector<std::string> list;
    for (const auto& p : paths)
        list.push_back(p.toStdString());
    work_.add(
        [list] {
            return std::shared_ptr<const ScanResult>(
                std::make_shared<ScanResult>(spinelens::scan(list)));
        },
        [this](std::shared_ptr<const ScanResult> result) {
            busy_ = false;
            Q_EMIT scanFinished(std::move(result));
        });
}

int StudyLoader::initialSlice(const SeriesInfo& series) {
    // Like Slicer, open a stack in its middle: for a sagittal spine the first slice is
    // lateral soft tissue, the middle one shows the canal.
    return int(series.slices.size()) / 2;
}

void StudyLoader::load(const SeriesInfo& series) {
    cancel();
    std::shared_ptr<Volume> volume;
    try {
        volume = allocateVolume(series);
    } catch (const Error& e) {
        Q_EMIT failed(QString::fromStdString(e.what()));
        return;
    } catch (const std::bad_alloc&) {
        Q_EMIT failed(QString::fromStdString(series.displayName()) +
                      ": not enough memory for this series");
        return;
    }
    busy_ = true;
    loadedCount_ = 0;
    const std::uint64_t gen = work_.generation();
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    cancelFlag_ = cancelFlag;
    Q_EMIT seriesStarted(volume, series);

    const int total = volume->depth;
    QPointer<StudyLoader> self(this);
    LoadCallbacks callbacks;
    callbacks.cancelled = [cancelFlag] { return cancelFlag->load(); };
    callbacks.prioritySlice = initialSlice(series);
    callbacks.sliceReady = [self, gen, total](int slice) {
        // Worker thread: hop to the GUI thread; the slice's pixels are already written.
        QMetaObject::invokeMethod(
            self.data(),
            [self, gen, slice, total] {
                if (!self || !self->work_.isCurrent(gen))
                    return;
                Q_EMIT self->sliceLoaded(slice, ++self->loadedCount_, total);
            },
            Qt::QueuedConnection);
    };

    struct Outcome {
        LoadReport report;
        QString error;
    };
    work_.add(
        [series, volume, callbacks] {
            Outcome o;
            try {
                o.report = loadInto(series, *volume, callbacks);
            } catch (const Error& e) {
                o.error = QString::fromStdString(e.what());
            } catch (const std::exception& e) {
                o.error = QString("Unexpected error while loading: ") + e.what();
            }
            return o;
        },
        [this](const Outcome& o) {
            busy_ = false;
            if (!o.error.isEmpty())
                Q_EMIT failed(o.error);
            else
                Q_EMIT seriesLoaded(o.report);
        });
}

} // namespace spinelens::ui
