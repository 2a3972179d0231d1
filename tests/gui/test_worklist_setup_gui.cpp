// What the worklist triages with, set in a real window: the models per modality (a site's
// package assigned to MR and used by the next triage, a package for other images refused
// naming its folder, back to the default), the flag threshold chosen from an evaluation run
// for a sensitivity target (the figures shown are the ones stored, with their provenance; a
// run file that is no run is named), and a study a killed triage left waiting, triaged when
// the worklist is opened again.
#include "worklist/ModelAssignment.h"
#include "worklist/WorklistModel.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistSetup.h"
#include "worklist/WorklistWindow.h"

#include "study/Scanner.h"
#include "worklist/Triage.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

using namespace spinelens;
using namespace spinelens::ui;

namespace {

bool run(const QString& program, const QStringList& args, QString* output = nullptr) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(300000))
        return false;
    if (output)
        *output = QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QString rowText(QTableWidget* t, const QString& modality, int column) {
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 0)->data(Qt::UserRole).toString() == modality)
            return t->item(r, column)->text();
    return {};
}

// Copies a package folder (flat: model.pt, model.json, domain files, report/).
bool copyPackage(const QString& from, const QString& to) {
    QString out;
    return run("cp", {"-r", from, to}, &out);
}

} // namespace

class TestWorklistSetupGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensTests");
        QCoreApplication::setApplicationName("test_worklist_setup_gui");
        QSettings().clear();
        QVERIFY(work_.isValid());
        QString out;
        QVERIFY2(run(SPINELENS_CLI,
                     {"phantom", "--kind", "mri", "--count", "12", "--seed", "5", "--out",
                      work_.filePath("mri")},
                     &out),
                 qPrintable(out));
        studies_ = QDir(work_.filePath("mri/train_images"))
                       .entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(studies_.size() >= 3);
    }

    void modelsPerModalityAreAssignedInTheWindow() {
        WorklistService service;
        QCOMPARE(service.open(work_.filePath("models.sqlite")), QString());
        WorklistWindow window(&service);
        window.show();
        ModelAssignmentDialog dialog(&service, &window);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTableWidget* table = dialog.table();
        QCOMPARE(rowText(table, "MR", 1), QString("lumbar-mri-binary"));
        QVERIFY(rowText(table, "MR", 2).startsWith("shipped default"));
        QCOMPARE(rowText(table, "CT", 1), QString("none"));
        QVERIFY(rowText(table, "CT", 2).contains("could not assess"));

        // A site's copy of the lumbar package, its card saying another version.
        const QString site = work_.filePath("site-lumbar");
        QVERIFY(copyPackage(QString(SPINELENS_SOURCE_MODELS) + "/lumbar-mri-binary", site));
        QFile card(site + "/model.json");
        QVERIFY(card.open(QIODevice::ReadOnly));
        nlohmann::json j = nlohmann::json::parse(card.readAll().toStdString());
        card.close();
        j["version"] = "1.0.0-site";
        QVERIFY(card.open(QIODevice::WriteOnly | QIODevice::Truncate));
        card.write(QByteArray::fromStdString(j.dump(1)));
        card.close();

        // Not for radiographs: refused, the folder named, nothing changed.
        dialog.selectModality("DX");
        QVERIFY(!dialog.assignSelected(site));
        QVERIFY2(dialog.messageLabel()->text().contains(site) &&
                     dialog.messageLabel()->text().contains("is for MR"),
                 qPrintable(dialog.messageLabel()->text()));
        QVERIFY(service.db()->assignments().empty());

        dialog.selectModality("MR");
        QVERIFY2(dialog.assignSelected(site), qPrintable(dialog.messageLabel()->text()));
        QCOMPARE(rowText(table, "MR", 1), QString("lumbar-mri-binary 1.0.0-site"));
        QVERIFY(rowText(table, "MR", 2).contains(site));
        dialog.grab().save(QDir::tempPath() + "/worklist-models.png");

        // The next study triaged uses it.
        QSignalSpy triaged(&service, &WorklistService::triaged);
        service.add({work_.filePath("mri/train_images/" + studies_[0])});
        QTRY_VERIFY_WITH_TIMEOUT(triaged.count() == 1 && service.pending() == 0, 120000);
        const worklist::Entry e = service.db()->entries().front();
        QCOMPARE(e.triage.model + " " + e.triage.modelVersion,
                 std::string("lumbar-mri-binary 1.0.0-site"));

        QVERIFY(dialog.useDefaultForSelected());
        QCOMPARE(rowText(table, "MR", 1), QString("lumbar-mri-binary"));
        QVERIFY(service.db()->assignments().empty());
        const worklist::AuditCheck check = service.db()->verify();
        QVERIFY2(check.intact, check.problem.c_str());
        int assignedRecords = 0;
        for (const auto& r : service.db()->audit())
            assignedRecords += r.event == "model-assigned";
        QCOMPARE(assignedRecords, 2);
    }

    void thresholdIsChosenFromAnEvaluationRun() {
        const QString runFile = work_.filePath("run.sqlite");
        QString out;
        QVERIFY2(
            run(SPINELENS_CLI,
                {"evaluate", "--model", QString(SPINELENS_SOURCE_MODELS) + "/lumbar-mri-binary",
                 "--data", work_.filePath("mri"), "--split", "all", "--out", runFile},
                &out),
            qPrintable(out));
        WorklistService service;
        QCOMPARE(service.open(work_.filePath("threshold.sqlite")), QString());
        WorklistWindow window(&service);
        window.show();
        ThresholdDialog dialog(&service, &window);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy finished(&dialog, &ThresholdDialog::computeFinished);

        // Not a run: named, nothing to store.
        const QString notRun = work_.filePath("models.sqlite");
        dialog.runEdit()->setText(notRun);
        QTest::mouseClick(dialog.computeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(dialog.resultLabel()->text().contains(notRun),
                 qPrintable(dialog.resultLabel()->text()));
        QVERIFY(!dialog.storeButton()->isEnabled());

        dialog.runEdit()->setText(runFile);
        dialog.targetBox()->setCurrentIndex(
            dialog.targetBox()->findData(int(worklist::OperatingTarget::Kind::Sensitivity)));
        dialog.valueBox()->setValue(0.8);
        QTest::mouseClick(dialog.computeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 120000);
        QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(dialog.resultLabel()->text()));
        QVERIFY(dialog.computed());
        const worklist::OperatingPoint point = *dialog.computed();
        QVERIFY(point.sensitivity >= 0.8 - 1e-12);
        const QString shown = dialog.resultLabel()->text();
        QVERIFY2(shown.contains(QString::number(point.threshold, 'g', 6)) &&
                     shown.contains("sensitivity &gt;= 0.8") && shown.contains("synthetic") &&
                     shown.contains(QString::number(point.sensitivity, 'f', 2)),
                 qPrintable(shown));
        QVERIFY(dialog.storeButton()->isEnabled());
        dialog.grab().save(QDir::tempPath() + "/worklist-threshold.png");

        // A changed target makes what was computed stale: nothing to store until recomputed.
        dialog.valueBox()->setValue(0.9);
        QVERIFY(!dialog.storeButton()->isEnabled());
        dialog.valueBox()->setValue(0.8);
        QTest::mouseClick(dialog.computeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 120000);
        QVERIFY(dialog.storeButton()->isEnabled());
        QTest::mouseClick(dialog.storeButton(), Qt::LeftButton);
        const worklist::Threshold stored = service.db()->threshold("lumbar-mri-binary");
        QVERIFY(stored.id > 0);
        QCOMPARE(stored.value, point.threshold);
        QCOMPARE(stored.setBy, service.user().toStdString());
        const nlohmann::json p = nlohmann::json::parse(stored.provenance);
        QCOMPARE(p.at("target").get<std::string>(), std::string("sensitivity >= 0.8"));
        QCOMPARE(p.at("expectedSensitivity").get<double>(), point.sensitivity);
        QVERIFY(dialog.resultLabel()->text().contains("Stored"));
        QVERIFY(service.db()->verify().intact);
    }

    void aStudyLeftWaitingIsTriagedWhenTheWorklistOpens() {
        // As a killed triage leaves it: entered, no result.
        const QString db = work_.filePath("resume.sqlite");
        const QString folder = work_.filePath("mri/train_images/" + studies_[1]);
        std::string key;
        {
            auto w = worklist::WorklistDb::open(db.toStdString());
            const auto studies = worklist::studiesOf(spinelens::scan({folder.toStdString()}));
            QCOMPARE(int(studies.size()), 1);
            key = studies.front().first;
            w->addArrival(worklist::entryFor(key, studies.front().second, folder.toStdString()),
                          "killed-triage");
            QCOMPARE(w->entry(key)->triage.lane, worklist::Lane::Pending);
        }
        WorklistService service;
        QSignalSpy triaged(&service, &WorklistService::triaged);
        QCOMPARE(service.open(db), QString());
        WorklistWindow window(&service);
        window.show();
        QTRY_VERIFY_WITH_TIMEOUT(triaged.count() == 1 && service.pending() == 0, 120000);
        QCOMPARE(triaged.at(0).at(0).toString().toStdString(), key);
        const worklist::Entry e = *service.db()->entry(key);
        QVERIFY(e.triage.lane == worklist::Lane::Flagged ||
                e.triage.lane == worklist::Lane::NotFlagged);
        QTRY_VERIFY(!window.countsLabel()->text().contains("1 waiting"));
        QVERIFY(window.countsLabel()->text().contains("0 waiting for triage"));
        QVERIFY(service.db()->verify().intact);
    }

private:
    QTemporaryDir work_;
    QStringList studies_;
};

QTEST_MAIN(TestWorklistSetupGui)
#include "test_worklist_setup_gui.moc"
