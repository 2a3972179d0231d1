#pragma once
// Runs scanning and decoding off the GUI thread and hands results back on it. The latest
// request wins: opening something new cancels the load in flight and drops its results.
#include "dicom/SeriesInfo.h"
#include "image/Volume.h"
#include "study/SeriesLoader.h"
#include "util/LatestWork.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace spinelens::ui {

class StudyLoader : public QObject {
    Q_OBJECT
public:
    explicit StudyLoader(QObject* parent = nullptr);
    ~StudyLoader() override;

    /// Scans files and folders; emits scanFinished.
    void scan(const QStringList& paths);
    /// Decodes one series; emits seriesStarted at once, sliceLoaded per slice (first slice in
    /// display order first), then seriesLoaded.
    void load(const SeriesInfo& series);
    void cancel();
    bool isBusy() const { return busy_; }
    /// The slice shown first and decoded first.
    static int initialSlice(const SeriesInfo& series);

Q_SIGNALS:
    void scanFinished(std::shared_ptr<const ScanResult> result);
    void seriesStarted(std::shared_ptr<const Volume> volume, const SeriesInfo& series);
    void sliceLoaded(int slice, int loaded, int total);
    void seriesLoaded(const LoadReport& report);
    void failed(const QString& message);

private:
    /// One low-priority thread for loads (its decode workers inherit the priority).
    SerialPool pool_;
    LatestWork work_{this, WorkPriority::Background, &pool_};
    std::shared_ptr<std::atomic<bool>> cancelFlag_;
    bool busy_ = false;
    int loadedCount_ = 0;
};

} // namespace spinelens::ui
