// The clinicians' worklist in a real window: studies pushed to the viewer's DICOM receiver by
// DCMTK's storescu enter the worklist and are triaged in the background, sorted by score, with
// a real MR (pydicom's MR_small, unlike the synthetic training data) in the "AI could not
// assess" lane; the event loop keeps running while triage works (the longest gap is printed);
// keyboard decisions are stored and shown, and opening an entry shows the study at its most
// suspicious image; a reviewing process killed with SIGKILL loses no decision it had made.
#include "MainWindow.h"
#include "ViewerSession.h"
#include "pacs/DicomReceiver.h"
#include "pacs/PacsSettings.h"
#include "view/ImageView.h"
#include "worklist/WorklistModel.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistWindow.h"

#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "../FreePort.h"

#include <arpa/inet.h>
#include <csignal>
#include <iostream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace spinelens;
using namespace spinelens::ui;

namespace {

const char* const kRealMr = "/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm";

int freePort() {
    return freeLocalPort();
}

bool run(const QString& program, const QStringList& args, QString* output = nullptr) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        return false;
    if (output)
        *output = QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// The child of sigkillDuringReviewLosesNothing: reviews every entry with the keyboard, saying
// on stdout which it decided, until the parent kills it.
// The DICOM receiver on (saved for the next viewer window), on a free port.
PacsSettings receiverOn(const QString& aet, const QString& folder) {
    PacsSettings s = PacsSettings::load();
    s.receiverEnabled = true;
    s.receiverAet = aet;
    s.receiverPort = freePort();
    s.receiverFolder = folder;
    s.save();
    return s;
}

int reviewAsChild(const QString& db) {
    WorklistService service;
    if (!service.open(db).isEmpty())
        return 2;
    WorklistWindow window(&service);
    window.show();
    for (int row = 0; row < window.model()->rowCount(); ++row) {
        window.selectRow(row);
        const std::string study = window.currentStudy();
        QTest::keyClick(window.table(), Qt::Key_A);
        std::cout << "decided " << study << std::endl; // after decide() returned
        QTest::qWait(150);
    }
    return 0;
}

} // namespace

class TestWorklistGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensTests");
        QCoreApplication::setApplicationName("test_worklist_gui");
        QSettings().clear();
        QVERIFY(work_.isValid());
        QVERIFY2(QFile::exists(kRealMr), kRealMr);
        // Four synthetic lumbar MRI studies (RSNA layout), each pushed as a study.
        QString out;
        QVERIFY2(run(SPINELENS_CLI,
                     {"phantom", "--kind", "mri", "--count", "4", "--seed", "7", "--out",
                      work_.filePath("phantoms")},
                     &out),
                 qPrintable(out));
    }

    void pushedStudiesAreTriagedAndSorted() {
        const PacsSettings s = receiverOn("SLWORK", work_.filePath("received"));
        MainWindow w;
        w.resize(1300, 850);
        w.show();
        QVERIFY2(w.receiver()->isRunning(), qPrintable(w.receiver()->statusText()));
        WorklistWindow* list = w.openWorklist(work_.filePath("worklist.sqlite"));
        QVERIFY(list);
        w.worklist()->setQuietMs(700);
        QVERIFY(QTest::qWaitForWindowExposed(list));
        QTest::qWait(300); // the new window's first paint is not what triage costs
        QElapsedTimer clock;
        QVector<double> latencies;
        connect(w.worklist(), &WorklistService::triaged, this,
                [&](const QString&, double seconds) { latencies << seconds; });
        list->resetEventLoopGap();
        clock.start();
        QString out;
        QVERIFY2(run("storescu",
                     {"-aec", "SLWORK", "+sd", "+r", "127.0.0.1", QString::number(s.receiverPort),
                      work_.filePath("phantoms/train_images"), kRealMr},
                     &out),
                 qPrintable(out));
        QTRY_VERIFY_WITH_TIMEOUT(list->model()->rowCount() == 5 && w.worklist()->pending() == 0 &&
                                     latencies.size() >= 5,
                                 240000);
        qInfo("5 pushed studies triaged; per study %s s; all in the list with a score %lld ms "
              "after the push began; longest event-loop gap while triage ran: %.1f ms",
              qPrintable([&] {
                  QStringList l;
                  for (double v : latencies)
                      l << QString::number(v, 'f', 2);
                  return l.join(", ");
              }()),
              clock.elapsed(), list->maxEventLoopGapMs());
        // The target is 50 ms; software OpenGL on a shared 2-core machine leaves some margin.
        QVERIFY2(list->maxEventLoopGapMs() < 150,
                 qPrintable(QString("the window froze for %1 ms").arg(list->maxEventLoopGapMs())));

        // Flagged first, by score; the real MR in its own lane, with no score.
        // In the order the list shows them (the model keeps arrival order; the view sorts).
        std::vector<worklist::Entry> entries;
        for (int r = 0; r < list->filter()->rowCount(); ++r)
            entries.push_back(list->model()->entries()[std::size_t(
                list->filter()->mapToSource(list->filter()->index(r, 0)).row())]);
        int notAssessed = 0;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& t = entries[i].triage;
            if (t.lane == worklist::Lane::NotAssessed) {
                ++notAssessed;
                QVERIFY2(QString::fromStdString(t.problem).contains("training data"),
                         t.problem.c_str());
            }
            if (i > 0 && entries[i - 1].triage.lane == t.lane)
                QVERIFY(entries[i - 1].triage.score >= t.score);
        }
        QCOMPARE(notAssessed, 1);
        QVERIFY(entries.front().triage.lane != worklist::Lane::NotAssessed);
        QVERIFY(list->countsLabel()->text().contains("1 AI could not assess"));
        // What the table shows for the not-assessed entry: no number.
        const int last = list->filter()->rowCount() - 1;
        QCOMPARE(list->filter()->index(last, WorklistModel::Score).data().toString(),
                 QString::fromUtf8("\u2014"));
        list->grab().save(work_.filePath("worklist.png"));
        QFile::remove(QDir::tempPath() + "/worklist-gui.png"); // copy() does not overwrite
        QFile::copy(work_.filePath("worklist.png"), QDir::tempPath() + "/worklist-gui.png");

        // Opening the top entry shows its most suspicious image in the viewer.
        list->selectRow(0);
        const worklist::Entry top = entries.front();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->series() &&
                                     w.session()->series()->seriesInstanceUid ==
                                         top.triage.bestSeriesUid,
                                 30000);
        QTRY_COMPARE_WITH_TIMEOUT(w.session()->slice(), top.triage.bestSlice, 30000);
        // With the heatmap of that image on screen (it is why the study was flagged).
        QTRY_VERIFY_WITH_TIMEOUT(w.imageView()->heatmapShown(), 60000);
        QTRY_COMPARE_WITH_TIMEOUT(w.worklist()->db()->entry(top.studyUid)->state,
                                  worklist::ReviewState::InReview, 10000);

        // Decisions leave for an archive as Key Object Selection documents: DCMTK's storescp
        // is the archive here (a real storage SCP), dsrdump reads what it received.
        QTemporaryDir archiveDir;
        const int archivePort = freePort();
        QProcess archive;
        archive.start("storescp",
                      {"-aet", "ARCHIVE", "-od", archiveDir.path(), QString::number(archivePort)});
        QVERIFY(archive.waitForStarted());
        struct StopArchive { // by pid, also when a check fails
            QProcess& p;
            ~StopArchive() {
                p.kill();
                p.waitForFinished();
            }
        } stopArchive{archive};
        QTRY_VERIFY_WITH_TIMEOUT(
            run("echoscu", {"-aec", "ARCHIVE", "127.0.0.1", QString::number(archivePort)}), 20000);
        PacsSettings settings = PacsSettings::load();
        settings.nodes.push_back(
            {"Archive", QString("dicom://ARCHIVE@127.0.0.1:%1").arg(archivePort)});
        settings.save();
        list->sendDecisionsBox()->addItem("Archive", "Archive");
        list->sendDecisionsBox()->setCurrentIndex(list->sendDecisionsBox()->findData("Archive"));
        QSignalSpy sent(w.worklist(), &WorklistService::decisionSent);

        // Keyboard decisions: A on the first, a reason and note then D on the second.
        list->activateWindow();
        list->table()->setFocus();
        QTest::keyClick(list->table(), Qt::Key_A);
        auto first = w.worklist()->db()->entry(top.studyUid);
        QVERIFY(first->decision && first->decision->verdict == "agree");
        QCOMPARE(first->decision->user, worklist::currentUser());
        const std::string second = list->currentStudy();
        QVERIFY(second != top.studyUid);                   // moved on by itself
        list->reviewerEdit()->setText("Dr Second Reader"); // a name entered, not the login
        list->reasonBox()->setCurrentText("artefact");
        list->noteEdit()->setText("motion at L4");
        list->table()->setFocus();
        QTest::keyClick(list->table(), Qt::Key_D);
        const auto decided = w.worklist()->db()->entry(second);
        QVERIFY(decided->decision && decided->decision->verdict == "disagree" &&
                decided->decision->reason == "artefact" &&
                decided->decision->note == "motion at L4" &&
                decided->decision->user == "Dr Second Reader");
        QVERIFY(list->countsLabel()->text().contains("2 of 5 decided"));
        QTRY_COMPARE_WITH_TIMEOUT(sent.count(), 2, 30000);
        for (const QList<QVariant>& s : sent)
            QVERIFY2(s.at(1).toBool(), qPrintable(s.at(2).toString()));
        const QFileInfoList received = QDir(archiveDir.path()).entryInfoList(QDir::Files);
        QCOMPARE(received.size(), 2);
        QString dumps;
        for (const QFileInfo& f : received) {
            QString dump;
            QVERIFY2(run("dsrdump", {"+Pl", f.filePath()}, &dump), qPrintable(dump));
            QVERIFY2(dump.contains("Key Object Selection Document"), qPrintable(dump));
            dumps += dump;
        }
        QVERIFY2(dumps.contains("AGREES") && dumps.contains("DISAGREES") &&
                     dumps.contains("motion at L4") && dumps.contains("artefact"),
                 qPrintable(dumps));
        QSettings().setValue("worklist/sendDecisionsTo", QString());
        list->reviewerEdit()->clear();
        list->selectRow(list->model()->rowOf(second) >= 0 ? 1 : 0);
        QVERIFY(w.worklist()->db()->verify().intact);
        QSettings().setValue("pacs/receiver/enabled", false);
    }

    void arrivalsStillComingAtCloseAreKept() {
        // Two studies taken by the receiver while their quiet period runs (set to an hour, so
        // it cannot end): the viewer closes, and they must wait in the worklist for triage,
        // not be lost; the next opening triages them.
        const QString db = work_.filePath("closing.sqlite");
        const QStringList studies = QDir(work_.filePath("phantoms/train_images"))
                                        .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                                        .mid(0, 2);
        QStringList paths;
        int images = 0;
        for (const QString& study : studies) {
            paths << work_.filePath("phantoms/train_images/" + study);
            QDirIterator it(paths.last(), {"*.dcm"}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                it.next();
                ++images;
            }
        }
        {
            const PacsSettings s = receiverOn("SLCLOSE", work_.filePath("received-closing"));
            // A worklist used before, its window not opened in this session: the receiver
            // feeds it all the same.
            worklist::WorklistDb::open(db.toStdString());
            QSettings().setValue("worklist/file", db);
            MainWindow w;
            QVERIFY2(w.receiver()->isRunning(), qPrintable(w.receiver()->statusText()));
            QVERIFY(w.worklist() && w.worklist()->isOpen() && w.worklist()->path() == db);
            w.worklist()->setQuietMs(3600 * 1000);
            QString out;
            QVERIFY2(run("storescu",
                         QStringList{"-aec", "SLCLOSE", "+sd", "+r", "127.0.0.1",
                                     QString::number(s.receiverPort)} +
                             paths,
                         &out),
                     qPrintable(out));
            QTRY_COMPARE_WITH_TIMEOUT(w.receiver()->received(), images, 30000);
            QCOMPARE(w.worklist()->db()->entries().size(), std::size_t(0)); // still arriving
            QSettings().setValue("pacs/receiver/enabled", false);
        } // the viewer closes
        {
            const auto closed = worklist::WorklistDb::open(db.toStdString());
            const std::vector<worklist::Entry> waiting = closed->entries();
            QCOMPARE(int(waiting.size()), 2);
            for (const worklist::Entry& e : waiting)
                QVERIFY2(e.triage.lane == worklist::Lane::Pending, e.studyUid.c_str());
        }
        WorklistService service;
        QVERIFY(service.open(db).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(service.pending() == 0, 120000);
        for (const worklist::Entry& e : service.db()->entries())
            QVERIFY2(e.triage.lane == worklist::Lane::Flagged ||
                         e.triage.lane == worklist::Lane::NotFlagged,
                     e.studyUid.c_str());
    }

    void studiesCopiedIntoAWatchedFolderEnter() {
        MainWindow w;
        WorklistWindow* list = w.openWorklist(work_.filePath("watched.sqlite"));
        QVERIFY(list);
        w.worklist()->setQuietMs(500);
        const QString watched = work_.filePath("watched");
        QVERIFY(QDir().mkpath(watched));
        list->setWatchedFolder(watched);
        // A study copied in: it enters once its files stop changing, and only once.
        const QString study = QDir(work_.filePath("phantoms/train_images"))
                                  .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                                  .first();
        QString out;
        QVERIFY2(run("cp", {"-r", work_.filePath("phantoms/train_images/" + study), watched}, &out),
                 qPrintable(out));
        QTRY_VERIFY_WITH_TIMEOUT(list->model()->rowCount() == 1 && w.worklist()->pending() == 0,
                                 60000);
        QVERIFY(list->model()->entries().front().triage.lane != worklist::Lane::Pending);
        QTest::qWait(1500);
        QCOMPARE(int(w.worklist()->db()->history(list->model()->entries().front().studyUid).size()),
                 2); // arrival and triage, not again
        list->setWatchedFolder({});
    }

    void sigkillDuringReviewLosesNothing() {
        QProcess child;
        child.setProcessChannelMode(QProcess::SeparateChannels);
        child.start(QCoreApplication::applicationFilePath(),
                    {"--child-review", work_.filePath("worklist.sqlite")});
        QVERIFY(child.waitForStarted());
        QStringList decided;
        QElapsedTimer clock;
        clock.start();
        while (decided.size() < 2 && clock.elapsed() < 60000) {
            child.waitForReadyRead(1000);
            while (child.canReadLine()) {
                const QString line = QString::fromLocal8Bit(child.readLine()).trimmed();
                if (line.startsWith("decided "))
                    decided << line.mid(8);
            }
        }
        QVERIFY2(decided.size() >= 2, "the child did not decide");
        ::kill(pid_t(child.processId()), SIGKILL); // mid-review, no clean shutdown
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        auto db = worklist::WorklistDb::open(work_.filePath("worklist.sqlite").toStdString());
        for (const QString& study : decided) {
            const auto e = db->entry(study.toStdString());
            QVERIFY2(e && e->decision && e->decision->verdict == "agree", qPrintable(study));
        }
        const worklist::AuditCheck check = db->verify();
        QVERIFY2(check.intact, check.problem.c_str());
    }

private:
    QTemporaryDir work_;
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    if (argc == 3 && QByteArray(argv[1]) == "--child-review") {
        QCoreApplication::setOrganizationName("SpineLensTests");
        QCoreApplication::setApplicationName("test_worklist_gui_child");
        return reviewAsChild(QString::fromLocal8Bit(argv[2]));
    }
    TestWorklistGui test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_worklist_gui.moc"
