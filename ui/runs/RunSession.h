#pragma once
// An evaluation run opened for browsing: everything the browser shows, read once on a worker
// (a 10,000-case run is a few megabytes), plus the researcher's review edits, each written to
// the run file at once so a crash right after a click loses nothing.
#include "eval/Metrics.h"
#include "eval/RunFile.h"

#include "util/LatestWork.h"

#include <QObject>
#include <QString>

#include <memory>

namespace spinelens::ui {

/// True for an SQLite file (the run files' format), judged by its first 16 bytes, so a
/// dropped run opens the browser and anything else goes to the viewer.
bool looksLikeRunFile(const QString& path);

/// The predefined review tags (the list); free tags may be added beside them.
QStringList predefinedReviewTags();

struct RunSnapshot {
    QString path;
    eval::RunInfo info;
    std::vector<eval::CaseRecord> cases;
    std::map<std::int64_t, eval::Review> reviews;
    eval::Metrics metrics;
    bool metricsStored = false;     ///< read from the file (else computed from the cases now)
    std::vector<char> imageMissing; ///< per case: the image is not where the run found it
    int missingImages = 0;
    QStringList warnings; ///< shown with the run (incomplete run, moved images, ...)
};

class RunSession : public QObject {
    Q_OBJECT
public:
    explicit RunSession(QObject* parent = nullptr);
    ~RunSession() override;

    /// Reads the run on a worker; emits opened() or failed() (the current run stays open when
    /// the new one cannot be read).
    void open(const QString& path);
    bool isOpen() const { return snapshot_ != nullptr; }
    bool isBusy() const { return busy_; }
    const RunSnapshot& run() const { return *snapshot_; }
    std::shared_ptr<const RunSnapshot> snapshot() const { return snapshot_; }
    /// False when the file could only be opened read-only (review edits then refused).
    bool canReview() const { return writer_ != nullptr; }

    eval::Review review(int caseIndex) const;
    /// Each writes one committed transaction; on failure emits problem() and returns false.
    bool setTags(int caseIndex, const std::set<std::string>& tags);
    bool setNote(int caseIndex, const QString& note);
    bool setRelabel(int caseIndex, int classIndex);
    /// Every tag in use, predefined ones first.
    QStringList allTags() const;

Q_SIGNALS:
    void opened();
    void failed(const QString& message);
    void reviewChanged(int caseIndex);
    void problem(const QString& message);

private:
    template <typename Write> bool writeReview(int caseIndex, Write write);

    std::shared_ptr<RunSnapshot> snapshot_;
    std::unique_ptr<eval::RunFile> writer_;
    LatestWork opening_{this, WorkPriority::Interactive};
    bool busy_ = false;
};

} // namespace spinelens::ui
