#include "worklist/WorklistService.h"

#include "net/Pacs.h"
#include "worklist/DecisionDocument.h"

#include "Error.h"
#include "ai/DefaultModels.h"
#include "ai/TorchModel.h"
#include "worklist/Inbox.h"
#include "worklist/QuerySource.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent>

#include <algorithm>
#include <chrono>
#include <ctime>

namespace spinelens::ui {

WorklistService::WorklistService(QObject* parent)
    : QObject(parent), closing_(std::make_shared<std::atomic<bool>>(false)),
      worker_(std::make_shared<TriageWorker>()) {
    connect(&watchTimer_, &QTimer::timeout, this, &WorklistService::pollWatchedFolder);
}

WorklistService::~WorklistService() {
    // Studies still arriving go in with what has come of them, to wait for triage.
    const QStringList arriving = arriving_.keys();
    for (const QString& folder : arriving)
        add({folder}, arriving_.value(folder).last);
    // The pool waits for the study in triage; the queued arrivals are entered untriaged.
    closing_->store(true);
}

QString WorklistService::open(const QString& path) {
    try {
        db_ = worklist::WorklistDb::open(path.toStdString());
    } catch (const Error& e) {
        db_.reset();
        return QString::fromStdString(e.what());
    }
    Q_EMIT changed();
    resumeWaiting();
    return {};
}

void WorklistService::resumeWaiting() {
    // Studies left waiting for triage when the last process stopped mid-triage (killed,
    // crashed): triaged now, before anything newer, so none waits for ever.
    bool any = false;
    for (const worklist::Entry& e : db_->entries())
        any = any || e.triage.lane == worklist::Lane::Pending;
    if (!any)
        return;
    const std::string who = user().toStdString();
    runTriageJob(
        [who](worklist::WorklistDb& db, worklist::Triage& triage, const StudyCallback& onStudy) {
            worklist::resumePending(db, triage, who, onStudy);
            return QString();
        });
}

void WorklistService::sendDecision(const std::string& studyUid) {
    if (!db_ || !decisionNode_)
        return;
    const QString study = QString::fromStdString(studyUid);
    const std::optional<worklist::Entry> entry = db_->entry(studyUid);
    if (!entry) {
        Q_EMIT decisionSent(study, false, tr("%1 is not in the worklist").arg(study));
        return;
    }
    const PacsNodeSettings nodeSettings = *decisionNode_;
    const PacsSettings pacs = PacsSettings::load();
    // The document holds patient data: written to a folder of its own, removed after.
    const QString folder = QDir(pacs.cacheFolder)
                               .filePath(QString(".outbox/decision-%1-%2")
                                             .arg(QCoreApplication::applicationPid())
                                             .arg(QDateTime::currentMSecsSinceEpoch()));
    QPointer<WorklistService> self(this);
    (void)QtConcurrent::run(
        static_cast<QThreadPool*>(&sendPool_),
        [self, entry, nodeSettings, callingAet = pacs.callingAet, folder, study] {
            bool ok = false;
            QString message;
            try {
                const net::PacsNode node = nodeSettings.node(callingAet);
                const out::WrittenObject w =
                    worklist::writeDecisionDocument(*entry, folder.toStdString());
                const net::SendResult r = net::send(node, {w.path});
                ok = r.sent == 1 && r.failures.empty();
                message = ok ? QObject::tr("decision sent to %1 as a Key Object Selection document")
                                   .arg(nodeSettings.name)
                             : QObject::tr("decision not sent to %1: %2")
                                   .arg(nodeSettings.name,
                                        r.failures.empty()
                                            ? QObject::tr("the server did not confirm it")
                                            : QString::fromStdString(r.failures.front().second));
            } catch (const Error& e) {
                message = QObject::tr("decision not sent to %1: %2")
                              .arg(nodeSettings.name, QString::fromStdString(e.what()));
            }
            QDir(folder).removeRecursively();
            QMetaObject::invokeMethod(
                self.data(),
                [self, study, ok, message] {
                    if (self)
                        Q_EMIT self->decisionSent(study, ok, message);
                },
                Qt::QueuedConnection);
        });
}

QString WorklistService::path() const {
    return db_ ? QString::fromStdString(db_->path()) : QString();
}

QString WorklistService::user() const {
    return user_.isEmpty() ? QString::fromStdString(worklist::currentUser()) : user_;
}

void WorklistService::add(const QStringList& paths, worklist::ArrivalClock::time_point arrivedAt) {
    if (!db_ || paths.isEmpty())
        return;
    std::vector<std::string> files;
    for (const QString& p : paths)
        files.push_back(p.toStdString());
    const std::string who = user().toStdString();
    if (arrivedAt == worklist::ArrivalClock::time_point{})
        arrivedAt = worklist::ArrivalClock::now(); // waiting for the triage thread counts
    runTriageJob(
        [files, who, arrivedAt](worklist::WorklistDb& db, worklist::Triage& triage,
                                const StudyCallback& onStudy) {
            worklist::addAndTriage(db, triage, files, who, onStudy, arrivedAt);
            return QString();
        },
        {},
        [files, who, arrivedAt](worklist::WorklistDb& db) {
            worklist::enterForLater(db, files, who, arrivedAt);
        });
}

bool WorklistService::pollQuery(const PacsNodeSettings& nodeSettings,
                                const worklist::SavedQuery& query, const QString& storeFolder) {
    if (!db_ || queryInFlight_) // a PACS slower than the interval: one poll at a time
        return false;
    net::PacsNode node;
    const PacsSettings pacs = PacsSettings::load();
    try {
        node = nodeSettings.node(pacs.callingAet);
    } catch (const Error& e) {
        Q_EMIT queryPolled(false, 0, tr("%1: %2").arg(nodeSettings.name, e.what()));
        return false;
    }
    if (node.movePort > 0 && pacs.receiverEnabled && node.movePort == pacs.receiverPort) {
        Q_EMIT queryPolled(false, 0,
                           tr("%1: C-MOVE to port %2 cannot work while the DICOM receiver "
                              "listens on it; give the node C-GET (port 0)")
                               .arg(nodeSettings.name)
                               .arg(node.movePort));
        return false;
    }
    queryInFlight_ = true;
    const std::string who = user().toStdString();
    const std::string store = storeFolder.toStdString();
    const QString name = nodeSettings.name;
    const int hours = query.lastHours;
    auto closing = closing_;
    auto failed = std::make_shared<bool>(true);
    auto retrieved = std::make_shared<int>(0);
    runTriageJob(
        [node, query, store, who, name, hours, closing, failed, retrieved](
            worklist::WorklistDb& db, worklist::Triage& triage, const StudyCallback& onStudy) {
            worklist::PullResult r;
            try {
                r = worklist::pullQuery(db, triage, node, query, store, who, std::time(nullptr),
                                        onStudy, [closing] { return !closing->load(); });
            } catch (const Error& e) { // the PACS could not be asked: named, not a list change
                return QObject::tr("%1: %2").arg(name, e.what());
            }
            *failed = !r.problems.empty();
            *retrieved = r.retrieved;
            QString summary = QObject::tr("%1 (%2): %3 new studies retrieved and triaged; %4 "
                                          "matching, %5 already listed")
                                  .arg(name, QString::fromStdString(node.server.text()))
                                  .arg(r.retrieved)
                                  .arg(r.matched)
                                  .arg(r.alreadyListed);
            if (r.outsideWindow > 0)
                summary += QObject::tr("; %1 older than %2 h").arg(r.outsideWindow).arg(hours);
            for (const std::string& p : r.problems)
                summary += "\n" + QString::fromStdString(p);
            return summary;
        },
        [failed, retrieved](WorklistService& service, const QString& report) {
            service.queryInFlight_ = false;
            Q_EMIT service.queryPolled(!*failed, *retrieved, report);
        });
    return true;
}

void WorklistService::runTriageJob(TriageJob job, JobEnded ended, ClosingJob ifClosing) {
    const std::string dbPath = db_->path();
    const std::string models =
        ai::findModelsDirectory(QCoreApplication::applicationDirPath().toStdString());
    ++pending_;
    QPointer<WorklistService> self(this);
    auto closing = closing_;
    auto worker = worker_;
    (void)QtConcurrent::run(
        static_cast<QThreadPool*>(&triagePool_),
        [self, closing, worker, job = std::move(job), ended = std::move(ended),
         ifClosing = std::move(ifClosing), dbPath, models] {
            enterWorkPriority(WorkPriority::Background);
            ai::leaveOneCoreFree();                      // for the reader's window
            ai::setModelTurn(ai::ModelTurn::Background); // the viewer's own answers go first
            QString problem, report;
            if (closing->load() && ifClosing) {
                try {
                    if (!worker->db || worker->db->path() != dbPath)
                        worker->db = worklist::WorklistDb::open(dbPath);
                    ifClosing(*worker->db);
                } catch (const std::exception&) { // the process is ending: nowhere left to say
                }
            } else if (!closing->load()) {
                try {
                    // This thread's own connection: SQLite connections are not shared across
                    // threads, and WAL lets the window read while triage writes. It and the
                    // loaded models are kept for the next study (only this one thread uses them).
                    if (!worker->db || worker->db->path() != dbPath)
                        worker->db = worklist::WorklistDb::open(dbPath);
                    if (!worker->triage) {
                        worklist::TriageSettings settings;
                        settings.modelsDirectory = models;
                        worker->triage = std::make_unique<worklist::Triage>(settings);
                    }
                    report = job(*worker->db, *worker->triage, [self](const worklist::Arrival& a) {
                        const QString key = QString::fromStdString(a.studyKey);
                        const double seconds = a.triageSeconds;
                        QMetaObject::invokeMethod(
                            self.data(),
                            [self, key, seconds] {
                                if (!self)
                                    return;
                                Q_EMIT self->triaged(key, seconds);
                            },
                            Qt::QueuedConnection);
                    });
                } catch (const Error& e) {
                    problem = QString::fromStdString(e.what());
                } catch (const std::exception& e) {
                    problem = QString("triage failed: %1").arg(e.what());
                }
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, problem, report, ended] {
                    if (!self)
                        return;
                    --self->pending_;
                    // Each triaged study was announced; only a job that failed part way needs
                    // the whole list read again.
                    if (!problem.isEmpty()) {
                        Q_EMIT self->problem(self->tr("Worklist: %1").arg(problem));
                        Q_EMIT self->changed();
                    }
                    if (ended)
                        ended(*self, report);
                    Q_EMIT self->pendingChanged();
                },
                Qt::QueuedConnection);
        });
}

void WorklistService::noteReceived(const QString& path, const QString&) {
    // STUDY/SERIES/SOP.dcm in the receiver's store: the study is the folder two up.
    QDir study = QFileInfo(path).dir();
    if (!study.cdUp())
        return;
    const QString folder = study.absolutePath();
    Arriving& arriving = arriving_[folder];
    arriving.last = worklist::ArrivalClock::now();
    if (!arriving.quiet) {
        arriving.quiet = new QTimer(this);
        arriving.quiet->setSingleShot(true);
        connect(arriving.quiet, &QTimer::timeout, this, [this, folder] {
            const Arriving done = arriving_.take(folder);
            done.quiet->deleteLater();
            add({folder}, done.last); // the quiet period counts in its arrival-to-score time
        });
    }
    arriving.quiet->start(quietMs_);
}

void WorklistService::watchFolder(const QString& folder) {
    watched_ = folder;
    units_.clear();
    if (folder.isEmpty()) {
        watchTimer_.stop();
        return;
    }
    watchTimer_.start(std::max(200, quietMs_ / 2));
    pollWatchedFolder();
}

void WorklistService::pollWatchedFolder() {
    if (watched_.isEmpty() || !db_)
        return;
    // A unit is a top-level subfolder (a study copied in) or a loose file. It enters once its
    // files have stayed the same for the quiet period, so a copy in progress is not triaged
    // half-way; it enters again if it changes later (more series copied in).
    QHash<QString, qint64> fingerprints;
    const QDir root(watched_);
    QDirIterator it(watched_, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QFileInfo info = it.fileInfo();
        if (info.fileName().startsWith('.') || info.path().contains("/."))
            continue;
        const QString relative = root.relativeFilePath(file);
        const QString unit =
            relative.contains('/') ? root.filePath(relative.section('/', 0, 0)) : file;
        fingerprints[unit] += info.size() * 1000003 + info.lastModified().toMSecsSinceEpoch() +
                              qint64(qHash(relative));
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QStringList ready;
    qint64 arrived = now; // the earliest copy among them to have finished
    for (auto u = fingerprints.constBegin(); u != fingerprints.constEnd(); ++u) {
        UnitState& state = units_[u.key()];
        if (state.fingerprint != u.value()) {
            state.fingerprint = u.value();
            state.changedAt = now;
            continue;
        }
        if (now - state.changedAt >= quietMs_ && state.entered != u.value()) {
            state.entered = u.value();
            ready << u.key();
            arrived = std::min(arrived, state.changedAt);
        }
    }
    if (!ready.isEmpty())
        add(ready, worklist::ArrivalClock::now() - std::chrono::milliseconds(now - arrived));
}

QString WorklistService::decide(const std::string& studyUid, const worklist::Decision& decision) {
    if (!db_)
        return tr("No worklist is open.");
    try {
        worklist::Decision d = decision;
        if (d.user.empty())
            d.user = user().toStdString();
        db_->decide(studyUid, d);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    Q_EMIT changed();
    if (decisionNode_)
        sendDecision(studyUid); // the decision is saved; the copy to the PACS may follow
    return {};
}

void WorklistService::markInReview(const std::string& studyUid) {
    if (!db_)
        return;
    // Off the GUI thread: this write may wait for the triage thread's (synchronous) commit,
    // and opening an entry must not freeze the window meanwhile. Only New -> InReview, so it
    // cannot undo a decision made before it lands.
    QPointer<WorklistService> self(this);
    (void)QtConcurrent::run(static_cast<QThreadPool*>(&reviewPool_),
                            [self, path = db_->path(), studyUid, who = user().toStdString()] {
                                QString problem;
                                try {
                                    worklist::WorklistDb::open(path)->markInReview(studyUid, who);
                                } catch (const Error& e) {
                                    problem = QString::fromStdString(e.what());
                                }
                                const QString study = QString::fromStdString(studyUid);
                                QMetaObject::invokeMethod(
                                    self.data(),
                                    [self, study, problem] {
                                        if (!self)
                                            return;
                                        if (!problem.isEmpty())
                                            Q_EMIT self->problem(problem);
                                        Q_EMIT self->entryChanged(study);
                                    },
                                    Qt::QueuedConnection);
                            });
}

} // namespace spinelens::ui
