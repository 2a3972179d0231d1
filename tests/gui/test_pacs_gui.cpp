// File > Query/Retrieve in a real window against a real Orthanc (tests/pacs/with_orthanc.py
// starts it with the synthetic sample study): the connection test says what is wrong with a
// wrong AE title, a search lists the study, and a retrieve (by C-GET, C-MOVE and WADO-RS) opens
// the first series while the second is still to come, then shows both in the series browser. Then
// the rest of what leaves or enters the viewer: the AI result sent to the PACS and shown as a
// stored result when the study comes back from it, a cancelled retrieve marked partial, the DICOM
// receiver taking a file DCMTK's storescu pushes, the settings dialog refusing a bad AE title, the
// de-identified copy (checked with DCMTK's dcmdump) and the screenshot without identity.
#include "MainWindow.h"
#include "ViewerSession.h"
#include "ai/AiController.h"
#include "ai/ConfidencePanel.h"
#include "out/AiReport.h"
#include "pacs/DicomReceiver.h"
#include "pacs/PacsSettingsDialog.h"
#include "pacs/QueryRetrieveDialog.h"
#include "pacs/StudyOutbox.h"
#include "panels/SeriesBrowser.h"
#include "view/ImageView.h"
#include "worklist/WorklistQuery.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>

#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest/QtTest>

#include "../FreePort.h"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace spinelens;
using namespace spinelens::ui;

// A retrieve cache for one test, put back to the previous one also when a check fails.
struct CacheOfItsOwn {
    QTemporaryDir folder;
    QVariant previous = QSettings().value("pacs/cacheFolder");
    CacheOfItsOwn() { QSettings().setValue("pacs/cacheFolder", folder.path()); }
    ~CacheOfItsOwn() { QSettings().setValue("pacs/cacheFolder", previous); }
};

// Lets a frozen (SIGSTOP) PACS run again, also when a check fails.
struct Thaw {
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
};

class TestPacsGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensTests");
        QCoreApplication::setApplicationName("test_pacs_gui");
        QSettings().clear();
        QVERIFY2(qEnvironmentVariableIsSet("SPINELENS_TEST_PACS_DIMSE"),
                 "run through tests/pacs/with_orthanc.py");
        QVERIFY(cache_.isValid());
        QSettings().setValue("pacs/cacheFolder", cache_.path());
    }

    void wrongAeTitleIsExplained() {
        MainWindow w;
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->show();
        const QString good = qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE");
        d->addressEdit()->setText(QString(good).replace("ORTHANC@", "NOSUCHAET@"));
        d->testButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(
            d->statusLabel()->text().contains("called AE title not recognized"), 20000);
        QVERIFY(d->statusLabel()->text().contains("NOSUCHAET"));
        d->addressEdit()->setText(good);
        d->testButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(d->statusLabel()->text().contains("answers"), 20000);
    }

    void moveDestinationIsChecked() {
        MainWindow w;
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->addressEdit()->setText(qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE"));
        d->movePortBox()->setValue(qEnvironmentVariable("SPINELENS_TEST_MOVE_PORT").toInt());
        d->testButton()->click(); // no study found yet: says how to check
        QTRY_VERIFY_WITH_TIMEOUT(d->statusLabel()->text().contains("select a study"), 20000);
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        d->results()->selectRow(0);
        d->testButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(d->statusLabel()->text().contains("C-MOVE to us"), 30000);
        QVERIFY2(d->statusLabel()->text().contains("C-MOVE to us works"),
                 qPrintable(d->statusLabel()->text()));
        // An AE title the PACS does not know as a destination: said, with what to do.
        PacsSettings s = PacsSettings::load();
        s.callingAet = "STRANGER";
        s.save();
        d->testButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(d->statusLabel()->text().contains("C-MOVE to us"), 30000);
        QVERIFY2(d->statusLabel()->text().contains("does not work") &&
                     d->statusLabel()->text().contains("register") &&
                     d->statusLabel()->text().contains("C-GET"),
                 qPrintable(d->statusLabel()->text()));
        s.callingAet = "SPINELENS";
        s.save();
    }

    // The same study three ways: C-GET (the default), C-MOVE to our embedded storage SCP, and
    // DICOMweb (QIDO-RS search, WADO-RS retrieve).
    void searchAndRetrieveOpensTheFirstSeriesEarly_data() {
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("movePort");
        const QString dimse = qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE");
        QTest::newRow("C-GET") << dimse << 0;
        QTest::newRow("C-MOVE") << dimse
                                << qEnvironmentVariable("SPINELENS_TEST_MOVE_PORT").toInt();
        QTest::newRow("WADO-RS") << qEnvironmentVariable("SPINELENS_TEST_PACS_WEB") << 0;
    }

    void searchAndRetrieveOpensTheFirstSeriesEarly() {
        QFETCH(QString, address);
        QFETCH(int, movePort);
        const CacheOfItsOwn cache; // each way retrieves afresh, not from the last one's cache
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->show();
        d->addressEdit()->setText(address);
        QCOMPARE(d->movePortBox()->isEnabled(), !address.startsWith("http")); // DIMSE only
        d->movePortBox()->setValue(movePort);
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QCOMPARE(d->results()->item(0, 3)->text().split(", ").size(), 2);     // MR and CT
        QCOMPARE(d->results()->item(0, 0)->text(), QString("PHANTOM SPINE")); // not PHANTOM^SPINE

        QElapsedTimer clock;
        // The one-image preview opens as a series too: the first complete series is timed
        // apart from it.
        qint64 firstPreview = -1, firstShown = -1, finished = -1;
        connect(w.session(), &ViewerSession::seriesStarted, this, [&] {
            qint64& when = w.session()->previewing() ? firstPreview : firstShown;
            if (when < 0)
                when = clock.elapsed();
        });
        qint64 firstSlice = -1; // the first decoded slice handed to the view
        connect(w.session(), &ViewerSession::sliceLoaded, this, [&] {
            if (firstSlice < 0)
                firstSlice = clock.elapsed();
        });
        connect(d, &QueryRetrieveDialog::retrieveFinished, this,
                [&] { finished = clock.elapsed(); });
        QSignalSpy arrived(d, &QueryRetrieveDialog::seriesArrived);
        QSignalSpy done(d, &QueryRetrieveDialog::retrieveFinished);
        clock.start();
        d->results()->selectRow(0);
        d->retrieveButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(arrived.count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(firstShown >= 0, 20000);
        QVERIFY2(firstShown < finished,
                 qPrintable(QString("first complete series shown at %1 ms, retrieve done at "
                                    "%2 ms")
                                .arg(firstShown)
                                .arg(finished)));
        QTRY_VERIFY_WITH_TIMEOUT(firstSlice >= 0, 20000);
        qInfo("%s: after Retrieve: first image shown %lld ms (one-image preview), first slice "
              "decoded %lld ms, first complete series opened %lld ms, whole study retrieved "
              "%lld ms",
              QTest::currentDataTag(), firstPreview, firstSlice, firstShown, finished);
        QTRY_VERIFY_WITH_TIMEOUT(w.seriesBrowser()->topLevelItemCount() > 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(int(w.session()->scanResult()->series.size()), 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->seriesComplete(), 30000);
        QVERIFY(w.session()->series() != nullptr);
        const QString tag = QString(QTest::currentDataTag()).toLower();
        QVERIFY(w.exportScreenshot(qEnvironmentVariable("SPINELENS_TEST_WORK") +
                                   "/viewer-after-retrieve-" + tag + ".png"));
        d->grab().save(qEnvironmentVariable("SPINELENS_TEST_WORK") + "/query-retrieve-" + tag +
                       ".png");
    }

    void dicomWebSearchToo() {
        MainWindow w;
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->addressEdit()->setText(qEnvironmentVariable("SPINELENS_TEST_PACS_WEB"));
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        d->dateEdit()->setText("2024-01-01");
        d->searchButton()->click();
        QVERIFY(d->statusLabel()->text().contains("YYYYMMDD"));
    }

    void aiResultSentToThePacsComesBackAsAStoredResult() {
        // The sample's MR series on disk, with the shipped (synthetic) lumbar MRI model.
        MainWindow w;
        w.show();
        QSignalSpy modelReady(w.ai(), &AiController::modelChanged);
        w.useModelForThisRun(QString(SPINELENS_SOURCE_DIR) + "/models/lumbar-mri-binary");
        QTRY_VERIFY_WITH_TIMEOUT(w.ai()->model() != nullptr, 60000);
        w.openPaths({sample()});
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->series() && w.session()->seriesComplete(), 60000);
        const int mr = seriesOfModality(w, "MR");
        QVERIFY(mr >= 0);
        w.openSeries(mr);
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->seriesIndex() == mr && w.session()->seriesComplete(),
                                 60000);
        QVERIFY(w.confidencePanel()->storedResultsText().isEmpty()); // none stored yet

        PacsSettings settings = PacsSettings::load();
        PacsNodeSettings node;
        node.name = "test orthanc";
        node.address = qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE");
        settings.nodes = {node};
        settings.save();
        QSignalSpy finished(w.outbox(), &StudyOutbox::finished);
        w.outbox()->sendAiResult(node);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
        QVERIFY(finished.first().at(2).toString().contains("Sent to test orthanc"));
        QVERIFY(finished.first().at(2).toString().contains("synthetic"));
        QVERIFY(finished.first().at(2).toString().contains("ai-report.dcm"));

        // A bad node is named, and the viewer goes on.
        PacsNodeSettings bad = node;
        bad.name = "no such pacs";
        bad.address = "dicom://ORTHANC@127.0.0.1:" + QString::number(closedPort());
        w.outbox()->sendAiResult(bad);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QVERIFY(!finished.at(1).at(0).toBool());
        QVERIFY2(finished.at(1).at(2).toString().contains("no such pacs"),
                 qPrintable(finished.at(1).at(2).toString()));

        // The study again, from the PACS: the AI panel shows the stored result. (A receiver
        // has run in this process by now, in moveDestinationIsChecked: DCMTK's SCP once left
        // the process unable to read our SRs.)
        MainWindow again;
        again.show();
        QueryRetrieveDialog* d = again.queryRetrieve();
        d->nodeBox()->setCurrentIndex(0);
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QSignalSpy done(d, &QueryRetrieveDialog::retrieveFinished);
        d->results()->selectRow(0);
        d->retrieveButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(seriesOfModality(again, "MR") >= 0, 20000);
        again.openSeries(seriesOfModality(again, "MR"));
        (void)QTest::qWaitFor(
            [&] { return !again.confidencePanel()->storedResultsText().isEmpty(); }, 20000);
        if (again.confidencePanel()->storedResultsText().isEmpty()) {
            QString seen;
            for (const auto& f : again.session()->scanResult()->skipped) {
                seen += QString::fromStdString(f.path + ": " + f.reason) + "\n";
                try {
                    out::readAiReport(f.path);
                } catch (const std::exception& e) {
                    seen += e.what();
                }
            }
            QFAIL(qPrintable(
                QString("no stored result shown; %1 stored result(s) read; skipped "
                        "files:\n%2 series %3")
                    .arg(again.session()->storedResults().size())
                    .arg(seen)
                    .arg(QString::fromStdString(again.session()->series()
                                                    ? again.session()->series()->studyInstanceUid
                                                    : "none"))));
        }
        const QString stored = again.confidencePanel()->storedResultsText();
        QVERIFY2(stored.contains("lumbar-mri-binary") && stored.contains("Made 20") &&
                     stored.contains("Trained on synthetic data") &&
                     stored.contains("Not clinically validated"),
                 qPrintable(stored));
        QCOMPARE(int(again.session()->storedResults().size()), 1);
        again.grabWindowImage().save(work() + "/stored-ai-result.png");
    }

    void cancelledRetrieveIsMarkedPartial() {
        MainWindow w;
        w.show();
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->addressEdit()->setText(qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE"));
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QSignalSpy done(d, &QueryRetrieveDialog::retrieveFinished);
        // Cancel at the first object received: the rest of the study is not retrieved.
        connect(d->progressBar(), &QProgressBar::valueChanged, d, [d](int value) {
            if (value > 0 && d->cancelButton()->isEnabled())
                d->cancelButton()->click();
        });
        d->results()->selectRow(0);
        d->retrieveButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!done.first().at(0).toBool());
        QVERIFY2(done.first().at(1).toString().startsWith("Cancelled"),
                 qPrintable(done.first().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(studyRowText(w).contains("partial retrieve"), 10000);

        // Opened again later from the cache, the study is still marked.
        MainWindow later;
        const QString folder =
            w.session()->scanResult()
                ? QFileInfo(QString::fromStdString(w.session()->series()->slices.front().path))
                          .dir()
                          .absolutePath() +
                      "/.."
                : QString();
        QSignalSpy scanned(later.session(), &ViewerSession::scanFinished);
        later.openPaths({QDir::cleanPath(folder)});
        QTRY_COMPARE_WITH_TIMEOUT(scanned.count(), 1, 30000);
        QVERIFY2(studyRowText(later).contains("partial retrieve"), qPrintable(studyRowText(later)));
    }

    // The PACS stops answering half way (frozen with SIGSTOP): with the node's timeout at 2 s
    // the retrieve (in the middle of a series, or opening the next one) ends partial with a message
    // naming the node, what arrived is shown, and once the PACS answers again a second retrieve
    // completes the study.
    void frozenPacsEndsThePartialRetrieveAndTheViewerRecovers() {
        const pid_t pacs = pid_t(qEnvironmentVariableIntValue("SPINELENS_TEST_PACS_PID"));
        QVERIFY(pacs > 0);
        const Thaw thaw{pacs}; // also when a check fails
        // A cache of its own: the partial mark must come from this retrieve, not an earlier one.
        const CacheOfItsOwn cache;
        MainWindow w;
        w.show();
        QueryRetrieveDialog* d = w.queryRetrieve();
        const QString address = qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE");
        d->addressEdit()->setText(address);
        d->timeoutBox()->setValue(2);
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QSignalSpy done(d, &QueryRetrieveDialog::retrieveFinished);
        bool frozen = false;
        QElapsedTimer sinceFrozen;
        // Frozen once an image has arrived, not at the first object: an earlier test stored an
        // AI report (an SR, nothing to show) in this study, and when the PACS lists that series
        // first, freezing after it would leave nothing on screen to mark.
        const auto freezeOnce = [&] {
            if (!frozen) {
                frozen = ::kill(pacs, SIGSTOP) == 0;
                sinceFrozen.start();
            }
        };
        const auto onPreview = connect(d, &QueryRetrieveDialog::firstImageArrived, d, freezeOnce);
        const auto onSeries =
            connect(d, &QueryRetrieveDialog::seriesArrived, d,
                    [&](const QString&, std::shared_ptr<const ScanResult> scan, bool) {
                        if (scan && !scan->series.empty())
                            freezeOnce();
                    });
        d->results()->selectRow(0);
        d->retrieveButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        disconnect(onPreview);
        disconnect(onSeries);
        const qint64 waited = sinceFrozen.elapsed();
        ::kill(pacs, SIGCONT);
        QVERIFY(frozen);
        const QString summary = done.first().at(1).toString();
        QVERIFY(!done.first().at(0).toBool());
        QVERIFY2(summary.startsWith("Partial retrieve") &&
                     (summary.contains("no answer for 2 s") || summary.contains("within 2 s")) &&
                     summary.contains(address),
                 qPrintable(summary));
        QVERIFY2(waited < 12000, qPrintable(QString("gave up after %1 ms").arg(waited)));
        qInfo("a frozen PACS: retrieve given up %lld ms after it froze: %s", waited,
              qPrintable(summary.section('\n', 1)));
        QTRY_VERIFY_WITH_TIMEOUT(studyRowText(w).contains("partial retrieve"), 10000);

        // The PACS answers again: the same retrieve completes and the mark goes.
        done.clear();
        d->retrieveButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->series() != nullptr, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!studyRowText(w).contains("partial retrieve"), 10000);
    }

    // Cancel while the PACS is frozen mid-transfer, with the default 60 s timeout: the
    // retrieve ends at once (its connection is shut down), not when the timeout runs out.
    void cancelWhileThePacsIsFrozenEndsAtOnce_data() {
        QTest::addColumn<QString>("address");
        QTest::newRow("C-GET") << qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE");
        QTest::newRow("WADO-RS") << qEnvironmentVariable("SPINELENS_TEST_PACS_WEB");
    }

    void cancelWhileThePacsIsFrozenEndsAtOnce() {
        QFETCH(QString, address);
        const pid_t pacs = pid_t(qEnvironmentVariableIntValue("SPINELENS_TEST_PACS_PID"));
        QVERIFY(pacs > 0);
        const Thaw thaw{pacs}; // also when a check fails
        const CacheOfItsOwn cache;
        MainWindow w;
        w.show();
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->addressEdit()->setText(address);
        d->timeoutBox()->setValue(60);
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QSignalSpy done(d, &QueryRetrieveDialog::retrieveFinished);
        bool frozen = false;
        const auto freeze = connect(d->progressBar(), &QProgressBar::valueChanged, d, [&](int v) {
            if (v > 0 && !frozen)
                frozen = ::kill(pacs, SIGSTOP) == 0;
        });
        d->results()->selectRow(0);
        d->retrieveButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(frozen, 30000);
        disconnect(freeze);
        QTest::qWait(300); // the retrieve is now blocked on the silent server
        QVERIFY(done.isEmpty());
        QElapsedTimer sinceCancel;
        sinceCancel.start();
        d->cancelButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 70000);
        const qint64 waited = sinceCancel.elapsed();
        ::kill(pacs, SIGCONT);
        const QString summary = done.first().at(1).toString();
        QVERIFY(!done.first().at(0).toBool());
        QVERIFY2(summary.contains("cancel", Qt::CaseInsensitive), qPrintable(summary));
        QVERIFY2(waited < 5000, qPrintable(QString("Cancel took %1 ms").arg(waited)));
        qInfo("%s: Cancel on a frozen PACS ended the retrieve in %lld ms (timeout 60 s)",
              QTest::currentDataTag(), waited);
    }

    // The worklist's saved PACS query, set in its dialog: "MR of the last 24 hours" finds
    // nothing (the sample study is from January); "MR, any date" retrieves the study into the
    // receiver's folder and triages it; asked again, it retrieves nothing.
    void worklistPacsQueryRetrievesAndTriagesNewStudies() {
        QTemporaryDir dir;
        PacsSettings pacs = PacsSettings::load();
        const PacsSettings before = pacs;
        pacs.nodes.push_back({"Test PACS", qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE")});
        pacs.receiverFolder = dir.filePath("received");
        pacs.save();
        struct Restore { // also when a check fails
            PacsSettings pacs;
            ~Restore() {
                pacs.save();
                QSettings().setValue("worklist/query/enabled", false);
            }
        } restore{before};
        WorklistService service;
        QVERIFY(service.open(dir.filePath("worklist.sqlite")).isEmpty());
        WorklistWindow window(&service);
        window.show();
        QSignalSpy reports(&service, &WorklistService::queryPolled);
        WorklistQueryDialog dialog(WorklistQuerySettings::load(), &window);
        const int node = dialog.nodeBox()->findData("Test PACS");
        QVERIFY(node >= 0);
        dialog.nodeBox()->setCurrentIndex(node);
        dialog.enabledBox()->setChecked(true);
        dialog.modalityEdit()->setText("MR");
        dialog.hoursBox()->setValue(24);
        window.setQuery(dialog.settings());
        QTRY_COMPARE_WITH_TIMEOUT(reports.count(), 1, 60000);
        QVERIFY2(reports.last().at(0).toBool() && reports.last().at(1).toInt() == 0 &&
                     reports.last().at(2).toString().contains("0 matching"),
                 qPrintable(reports.last().at(2).toString()));
        dialog.hoursBox()->setValue(0); // any date
        window.setQuery(dialog.settings());
        QTRY_COMPARE_WITH_TIMEOUT(reports.count(), 2, 120000);
        const QString report = reports.last().at(2).toString();
        QVERIFY2(reports.last().at(1).toInt() == 1 && report.contains("1 matching, 0 already"),
                 qPrintable(report));
        const auto entries = service.db()->entries();
        QCOMPARE(int(entries.size()), 1);
        QVERIFY(entries.front().triage.lane != worklist::Lane::Pending);
        QVERIFY(entries.front().source.find(dir.filePath("received").toStdString()) == 0);
        QTRY_COMPARE_WITH_TIMEOUT(window.findChild<QTableView*>()->model()->rowCount(), 1, 10000);
        window.grab().save(work() + "/worklist-pacs-query.png");
        window.querySource()->pollNow();
        QTRY_COMPARE_WITH_TIMEOUT(reports.count(), 3, 60000);
        QVERIFY2(reports.last().at(1).toInt() == 0 &&
                     reports.last().at(2).toString().contains("1 matching, 1 already listed"),
                 qPrintable(reports.last().at(2).toString()));
        // Asked again while a poll runs (a PACS slower than the interval): not started twice.
        window.querySource()->pollNow();
        QVERIFY(!service.pollQuery(PacsSettings::load().nodes.back(), {}, dir.path()));
        QTRY_COMPARE_WITH_TIMEOUT(reports.count(), 4, 60000);
        QTest::qWait(300);
        QCOMPARE(reports.count(), 4);
    }

    void cleanup() {
        // A receiver a failed test left switched on must not start in the next test's windows.
        PacsSettings s = PacsSettings::load();
        s.receiverEnabled = false;
        s.save();
    }

    void receiverTakesWhatStorescuPushes() {
        QTemporaryDir store;
        const int port = closedPort();
        PacsSettings s = PacsSettings::load();
        s.receiverEnabled = true;
        s.receiverAet = "SLRECEIVER";
        s.receiverPort = port;
        s.receiverFolder = store.path();
        s.save();
        MainWindow w; // starts the receiver as the settings say
        QVERIFY2(w.receiver()->isRunning(), qPrintable(w.receiver()->statusText()));
        QVERIFY(w.receiver()->statusText().contains(QString::number(port)));
        const QString file = firstSampleFile("MR");
        QProcess storescu;
        storescu.start("storescu",
                       {"-aec", "SLRECEIVER", "127.0.0.1", QString::number(port), file});
        QVERIFY(storescu.waitForFinished(30000));
        QCOMPARE(storescu.exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(w.receiver()->received(), 1, 20000);
        QDirIterator it(store.path(), {"*.dcm"}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        const QString stored = it.next();
        // Filed as STUDY/SERIES/SOP.dcm, the instance DCMTK sent.
        QProcess dump;
        dump.start("dcmdump", {"+P", "SOPInstanceUID", file});
        QVERIFY(dump.waitForFinished(20000));
        const QString sop =
            QString::fromLocal8Bit(dump.readAllStandardOutput()).section('[', 1).section(']', 0, 0);
        QVERIFY(!sop.isEmpty());
        QCOMPARE(QFileInfo(stored).fileName(), sop + ".dcm");

        // The same port a second time: the second window says it is taken and works on.
        MainWindow second;
        QVERIFY(!second.receiver()->isRunning());
        QVERIFY2(second.receiver()->statusText().contains(QString::number(port)),
                 qPrintable(second.receiver()->statusText()));
        s.receiverEnabled = false;
        s.save();
        QVERIFY(w.applyPacsSettings().isEmpty());
        QVERIFY(!w.receiver()->isRunning());
    }

    void cacheKeepsToItsLimit() {
        // Three retrieved studies of 0.6 MB in a 1 MB cache: the oldest go first, the study open
        // in the viewer stays, and a folder that is not a study (named otherwise) is never
        // touched.
        QTemporaryDir dir;
        PacsSettings s;
        s.cacheFolder = dir.path();
        s.cacheLimitMb = 1;
        const QStringList studies = {"1.2.3.1", "1.2.3.2", "1.2.3.3"};
        for (int i = 0; i < studies.size(); ++i) {
            QDir(dir.path()).mkpath(studies[i] + "/1.2.9");
            QFile f(dir.path() + "/" + studies[i] + "/1.2.9/1.2.10.dcm");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(600 * 1024, 'x'));
            f.close();
            // Retrieved one after the other: the folder's time says which is oldest.
            std::filesystem::last_write_time((dir.path() + "/" + studies[i]).toStdString(),
                                             std::filesystem::file_time_type::clock::now() -
                                                 std::chrono::seconds(100 - i * 10));
        }
        QDir(dir.path()).mkpath("my-notes");
        QFile notes(dir.path() + "/my-notes/big.bin");
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write(QByteArray(2 * 1024 * 1024, 'y'));
        notes.close();
        QCOMPARE(cacheBytes(s), qint64(3 * 600 * 1024));
        // 1.2.3.1 is the oldest but open in the viewer: 1.2.3.2 and then 1.2.3.3 go instead.
        QCOMPARE(trimCache(s, "1.2.3.1"), 2);
        QVERIFY(QDir(dir.path() + "/1.2.3.1").exists());
        QVERIFY(!QDir(dir.path() + "/1.2.3.2").exists());
        QVERIFY(!QDir(dir.path() + "/1.2.3.3").exists());
        QVERIFY(QFile::exists(dir.path() + "/my-notes/big.bin"));
        QCOMPARE(cacheBytes(s), qint64(600 * 1024));
    }

    void settingsDialogRefusesABadAeTitle() {
        // The settings list the PACS nodes, and one removed there is gone.
        PacsSettings before = PacsSettings::load();
        const int nodes = before.nodes.size();
        before.nodes.push_back({"Spare", "dicom://SPARE@127.0.0.1:104"});
        before.nodes.push_back({"Web", "https://pacs.example:443/dicom-web", "reader:secret"});
        QFile::setPermissions(QSettings().fileName(), QFile::ReadOwner | QFile::WriteOwner |
                                                          QFile::ReadGroup | QFile::ReadOther);
        before.save();
        // A node's password is in the settings file: only its owner may read the file.
        QCOMPARE(QFileInfo(QSettings().fileName()).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        before.nodes.pop_back();
        before.save();
        PacsSettingsDialog dialog;
        QCOMPARE(dialog.nodesList()->count(), nodes + 1);
        QVERIFY(dialog.nodesList()->item(nodes)->text().contains("dicom://SPARE@127.0.0.1:104"));
        dialog.nodesList()->setCurrentRow(nodes);
        for (QPushButton* b : dialog.findChildren<QPushButton*>())
            if (b->text() == "Remove")
                b->click();
        QCOMPARE(dialog.nodesList()->count(), std::max(nodes, 1)); // "(none yet)" when empty
        dialog.callingAetEdit()->setText("A_TITLE_LONGER_THAN_16");
        QVERIFY(dialog.apply().contains("16"));
        dialog.callingAetEdit()->setText("BACK\\SLASH");
        QVERIFY(dialog.apply().contains("backslash"));
        dialog.callingAetEdit()->setText("SPINELENS2");
        dialog.cacheLimitBox()->setValue(512);
        QVERIFY(dialog.apply().isEmpty());
        QCOMPARE(PacsSettings::load().callingAet, QString("SPINELENS2"));
        QCOMPARE(PacsSettings::load().cacheLimitMb, qint64(512));
        QCOMPARE(int(PacsSettings::load().nodes.size()), nodes);
        dialog.callingAetEdit()->setText("SPINELENS");
        QVERIFY(dialog.apply().isEmpty());
    }

    void deidentifiedCopyAndAnonymousScreenshot() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        w.openPaths({sample()});
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->series() && w.session()->seriesComplete(), 60000);
        w.openSeries(seriesOfModality(w, "MR"));
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->seriesComplete(), 60000);
        QVERIFY(w.imageView()->cornerText(2).contains("PHANTOM"));
        // No AI answer may land between the two screenshots compared below.
        w.session()->turnAiOff();

        QTemporaryDir out;
        QSignalSpy finished(w.outbox(), &StudyOutbox::finished);
        out::AnonymiseOptions options;
        options.subject = "SUBJ-01";
        w.outbox()->exportDeidentified(out.path(), options);
        // Asked again (twice) while it runs: refused each time, and the first one is still the
        // only one running (a refusal must not mark the outbox idle).
        QTemporaryDir again;
        w.outbox()->exportDeidentified(again.path(), options);
        w.outbox()->exportDeidentified(again.path(), options);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
        QTest::qWait(500); // a wrongly started second export would report by now
        QCOMPARE(finished.count(), 3);
        QVERIFY(QDir(again.path()).isEmpty());
        int refusals = 0;
        for (const QList<QVariant>& f : finished)
            refusals += f.at(2).toString().contains("still running") ? 1 : 0;
        QCOMPARE(refusals, 2);
        const QList<QVariant> exported = finished.last();
        QVERIFY2(exported.at(0).toBool(), qPrintable(exported.at(2).toString()));
        QVERIFY(exported.at(2).toString().contains("NOT removed"));
        const QStringList files = exported.at(3).toStringList();
        int studyImages = 0;
        for (const SeriesInfo& s : w.session()->scanResult()->series)
            if (s.kind == SourceKind::Dicom)
                studyImages += int(s.slices.size());
        QCOMPARE(files.size(), studyImages);
        // DCMTK's dcmdump reads what we wrote: identity gone, the profile's markers set.
        QProcess dump;
        dump.start("dcmdump", {"+P", "PatientName", "+P", "PatientID", "+P",
                               "PatientIdentityRemoved", "+P", "StudyInstanceUID", files.first()});
        QVERIFY(dump.waitForFinished(20000));
        const QString text = QString::fromLocal8Bit(dump.readAllStandardOutput());
        QVERIFY2(text.contains("[SUBJ-01]") && text.contains("[YES]") && !text.contains("PHANTOM"),
                 qPrintable(text));
        QVERIFY(!text.contains(QString::fromStdString(w.session()->series()->studyInstanceUid)));

        // The screenshot without identity differs from the normal one only where the
        // patient's corner text is, and the view shows the identity again afterwards.
        const QString with = work() + "/screenshot-with-identity.png";
        const QString without = work() + "/screenshot-without-identity.png";
        QVERIFY(w.exportScreenshot(with, true));
        QVERIFY(w.exportScreenshot(without, false));
        const QImage a(with), b(without);
        QCOMPARE(a.size(), b.size());
        const QRect corner(0, 0, a.width() / 2, a.height() / 6);
        int differentInCorner = 0, differentElsewhere = 0;
        for (int y = 0; y < a.height(); ++y)
            for (int x = 0; x < a.width(); ++x)
                if (a.pixel(x, y) != b.pixel(x, y))
                    ++(corner.contains(x, y) ? differentInCorner : differentElsewhere);
        QVERIFY2(differentInCorner > 50 && differentElsewhere == 0,
                 qPrintable(QString("%1 pixels differ in the corner, %2 elsewhere")
                                .arg(differentInCorner)
                                .arg(differentElsewhere)));
        QVERIFY(w.imageView()->cornerText(2).contains("PHANTOM"));
    }

private:
    static QString work() { return qEnvironmentVariable("SPINELENS_TEST_WORK"); }
    static QString sample() { return work() + "/sample"; }
    static int seriesOfModality(MainWindow& w, const std::string& modality) {
        const auto scan = w.session()->scanResult();
        for (int i = 0; scan && i < int(scan->series.size()); ++i)
            if (scan->series[std::size_t(i)].modality == modality)
                return i;
        return -1;
    }
    static QString firstSampleFile(const std::string& modality) {
        const ScanResult scan = spinelens::scan({sample().toStdString()});
        for (const SeriesInfo& s : scan.series)
            if (s.modality == modality)
                return QString::fromStdString(s.slices.front().path);
        return {};
    }
    /// A localhost port nothing listens on (bound, then released).
    static int closedPort() { return freeLocalPort(); }
    static QString studyRowText(MainWindow& w) {
        QTreeWidgetItemIterator it(w.seriesBrowser());
        for (; *it; ++it)
            if ((*it)->parent() && !(*it)->parent()->parent() && (*it)->childCount() > 0)
                return (*it)->text(0);
        return {};
    }

    QTemporaryDir cache_;
};

QTEST_MAIN(TestPacsGui)
#include "test_pacs_gui.moc"
