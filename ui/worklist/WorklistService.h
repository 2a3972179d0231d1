#pragma once
// The viewer's worklist: the worklist file, the triage worker, and where studies come from
// (the DICOM receiver, a watched folder, files the user adds). Triage runs on a thread of its
// own at background priority, with its own connection to the file, so the window never waits
// for a model; reads and decisions go through the GUI thread's connection and are on disk
// when decide() returns.
#include "pacs/PacsSettings.h"
#include "util/LatestWork.h"
#include "worklist/QuerySource.h"
#include "worklist/Triage.h"
#include "worklist/Worklist.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace spinelens::ui {

class WorklistService : public QObject {
    Q_OBJECT
public:
    explicit WorklistService(QObject* parent = nullptr);
    ~WorklistService() override;

    /// Opens (or creates) the worklist file; returns the problem in words, or empty. Studies a
    /// stopped process left waiting for triage are triaged first.
    QString open(const QString& path);
    bool isOpen() const { return db_ != nullptr; }
    QString path() const;
    worklist::WorklistDb* db() const { return db_.get(); }

    /// Who decides: a name entered at start, else $SPINELENS_USER or the OS user.
    void setUser(const QString& user) { user_ = user; }
    QString user() const;

    /// Enters and triages the studies in these files and folders (on the triage thread).
    /// `arrivedAt`: when they arrived, for "arrival to in the list with a score" (default: now).
    void add(const QStringList& paths, worklist::ArrivalClock::time_point arrivedAt = {});
    /// One poll of a saved PACS query (on the triage thread): the matching studies not listed
    /// yet are retrieved into `storeFolder`, entered and triaged; ends in queryPolled. Returns
    /// false (doing nothing) while the last poll is still running.
    bool pollQuery(const PacsNodeSettings& node, const worklist::SavedQuery& query,
                   const QString& storeFolder);
    /// An object arrived in the receiver's store: its study is triaged once nothing more has
    /// arrived for it for `quietMs` (a study comes as many objects).
    void noteReceived(const QString& path, const QString& studyUid);
    /// Watches a folder: studies copied into it (each subfolder, or loose files) enter once
    /// their files have not changed for the quiet period. Empty stops watching.
    void watchFolder(const QString& folder);
    void setQuietMs(int ms) { quietMs_ = ms; }
    /// Studies waiting for or in triage.
    int pending() const { return pending_.load(); }

    /// Records a decision (audited, durable on return). Returns the problem, or empty.
    QString decide(const std::string& studyUid, const worklist::Decision& decision);
    void markInReview(const std::string& studyUid);

    /// Where each decision is sent as a Key Object Selection document once it is saved (a
    /// PACS node from the settings), or nowhere.
    void setDecisionNode(const std::optional<PacsNodeSettings>& node) { decisionNode_ = node; }
    const std::optional<PacsNodeSettings>& decisionNode() const { return decisionNode_; }
    /// Writes the study's decision as a KOS and sends it to the decision node, off the GUI
    /// thread, in order; ends in decisionSent.
    void sendDecision(const std::string& studyUid);

Q_SIGNALS:
    /// The list changed (an arrival, a triage result, a decision): re-read it.
    void changed();
    /// One study was triaged: arrival to "in the list with a score", in seconds. Its entry
    /// changed; nothing else did (re-read that entry only).
    void triaged(const QString& studyKey, double seconds);
    /// The number of studies waiting for triage changed.
    void pendingChanged();
    /// One entry changed (its review state): re-read that entry only.
    void entryChanged(const QString& studyUid);
    void problem(const QString& message);
    /// A saved query's poll ended: its counts, and each study that failed (naming the node);
    /// `ok` false when the PACS could not be asked or a study failed; `retrieved` new studies.
    void queryPolled(bool ok, int retrieved, const QString& report);
    /// `ok` false: `message` names the node or file at fault; the decision itself is saved.
    void decisionSent(const QString& studyUid, bool ok, const QString& message);

private:
    void pollWatchedFolder();
    void resumeWaiting();
    using StudyCallback = std::function<void(const worklist::Arrival&)>;
    /// Runs on the triage thread with its worklist connection and models; returns a report.
    using TriageJob = std::function<QString(worklist::WorklistDb&, worklist::Triage&,
                                            const StudyCallback& onStudy)>;
    /// Runs on the GUI thread when the job has ended, with its report.
    using JobEnded = std::function<void(WorklistService&, const QString& report)>;
    /// `ifClosing` runs instead of `job` when the service closes before the job's turn (an
    /// arrival is then entered to wait for triage, not dropped).
    using ClosingJob = std::function<void(worklist::WorklistDb&)>;
    void runTriageJob(TriageJob job, JobEnded ended = {}, ClosingJob ifClosing = {});
    bool queryInFlight_ = false;
    std::unique_ptr<worklist::WorklistDb> db_;
    QString user_;
    SerialPool triagePool_; ///< one thread: the model runs alone, in order
    SerialPool sendPool_;   ///< decisions leave one at a time, in the order they were made
    SerialPool reviewPool_; ///< "in review" marks, written off the GUI thread
    std::optional<PacsNodeSettings> decisionNode_;
    std::atomic<int> pending_{0};
    std::shared_ptr<std::atomic<bool>> closing_;
    /// What the triage thread keeps between studies; touched on that thread only.
    struct TriageWorker {
        std::unique_ptr<worklist::WorklistDb> db;
        std::unique_ptr<worklist::Triage> triage;
    };
    std::shared_ptr<TriageWorker> worker_;
    int quietMs_ = 2000;
    struct Arriving {
        QTimer* quiet = nullptr;                 ///< restarted by each object
        worklist::ArrivalClock::time_point last; ///< when its newest object came
    };
    QHash<QString, Arriving> arriving_; ///< study folder -> its objects coming in
    QString watched_;
    QTimer watchTimer_;
    struct UnitState {
        qint64 fingerprint = -1; ///< of its files' names, sizes and times
        qint64 changedAt = 0;    ///< when the fingerprint last changed (ms since epoch)
        qint64 entered = -1;     ///< the fingerprint it last entered the worklist with
    };
    QHash<QString, UnitState> units_; ///< watched study folder or loose file
};

} // namespace spinelens::ui
