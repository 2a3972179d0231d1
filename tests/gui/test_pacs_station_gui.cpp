// The viewer's own side of the PACS in a real window, against a real Orthanc (started by
// tests/pacs/with_orthanc.py with the synthetic sample study): a saved worklist query retrieves
// and triages new studies, the DICOM receiver takes a file DCMTK's storescu pushes, the AI
// result sent to the PACS comes back as a stored result with the study, the cache
// keeps to its limit, the settings dialog refuses a bad AE title, and the de-identified copy
// (checked with DCMTK's dcmdump) and the screenshot without identity leave no identity behind.
#include "MainWindow.h"
#include "ViewerSession.h"
#include "ai/AiController.h"
#include "ai/ConfidencePanel.h"
#include "out/AiReport.h"
#include "pacs/DicomReceiver.h"
#include "pacs/PacsSettingsDialog.h"
#include "pacs/QueryRetrieveDialog.h"
#include "pacs/StudyOutbox.h"
#include "view/ImageView.h"
#include "worklist/WorklistQuery.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>

#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "PacsGuiTestUtil.h"

#include <chrono>
#include <filesystem>

using namespace spinelens;
using namespace spinelens::ui;
using namespace pacs_gui;

class TestPacsStationGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        startClean("test_pacs_station_gui", cache_);
        QVERIFY2(qEnvironmentVariableIsSet("SPINELENS_TEST_PACS_DIMSE"),
                 "run through tests/pacs/with_orthanc.py");
        QVERIFY(cache_.isValid());
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

    // Here, not in test_pacs_gui: the SR it stores in the sample study would be a series without
    // images in that program's retrieves, and where the PACS lists it first a retrieve
    // cancelled or frozen after the first object would have nothing on screen to mark.
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
        // has run in this process by now, in receiverTakesWhatStorescuPushes: DCMTK's SCP once
        // left the process unable to read our SRs.)
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
    QTemporaryDir cache_;
};

QTEST_MAIN(TestPacsStationGui)
#include "test_pacs_station_gui.moc"
