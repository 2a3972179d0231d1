// File > Query/Retrieve in a real window against a real Orthanc (tests/pacs/with_orthanc.py
// starts it with the synthetic sample study): the connection test says what is wrong with a
// wrong AE title, a search lists the study, and a retrieve (by C-GET, C-MOVE and WADO-RS) opens
// the first series while the second is still to come, then shows both in the series browser; a
// cancelled retrieve and one cut short by a frozen PACS are marked partial; Cancel ends a
// retrieve from a frozen PACS at once.
#include "MainWindow.h"
#include "ViewerSession.h"
#include "pacs/QueryRetrieveDialog.h"
#include "panels/SeriesBrowser.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "PacsGuiTestUtil.h"

using namespace spinelens;
using namespace spinelens::ui;
using namespace pacs_gui;

class TestPacsGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        startClean("test_pacs_gui", cache_);
        QVERIFY2(qEnvironmentVariableIsSet("SPINELENS_TEST_PACS_DIMSE"),
                 "run through tests/pacs/with_orthanc.py");
        QVERIFY(cache_.isValid());
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
        // Frozen once an image has arrived, not at the first object: a study may hold series
        // without images (an AI report), and when the PACS lists one first, freezing after it
        // would leave nothing on screen to mark.
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

private:
    QTemporaryDir cache_;
};

QTEST_MAIN(TestPacsGui)
#include "test_pacs_gui.moc"
