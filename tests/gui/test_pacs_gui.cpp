// File > Query/Retrieve in a real window against a real Orthanc (tests/pacs/with_orthanc.py
// starts it with the synthetic sample study): the connection test says what is wrong with a
// wrong AE title, a search lists the study, and a retrieve opens the first series while the
// second is still to come, then shows both in the series browser.
#include "MainWindow.h"
#include "ViewerSession.h"
#include "pacs/QueryRetrieveDialog.h"
#include "panels/SeriesBrowser.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest/QtTest>

using namespace spinelens;
using namespace spinelens::ui;

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

    void searchAndRetrieveOpensTheFirstSeriesEarly() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QueryRetrieveDialog* d = w.queryRetrieve();
        d->show();
        d->addressEdit()->setText(qEnvironmentVariable("SPINELENS_TEST_PACS_DIMSE"));
        d->patientNameEdit()->setText("PHANTOM*");
        d->searchButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(d->results()->rowCount(), 1, 20000);
        QCOMPARE(d->results()->item(0, 3)->text().split(", ").size(), 2); // MR and CT

        QElapsedTimer clock;
        qint64 firstShown = -1, finished = -1;
        connect(w.session(), &ViewerSession::seriesStarted, this, [&] {
            if (firstShown < 0)
                firstShown = clock.elapsed();
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
                 qPrintable(QString("first series shown at %1 ms, retrieve done at %2 ms")
                                .arg(firstShown)
                                .arg(finished)));
        QTRY_VERIFY_WITH_TIMEOUT(w.seriesBrowser()->topLevelItemCount() > 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(int(w.session()->scanResult()->series.size()), 2, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->seriesComplete(), 30000);
        QVERIFY(w.session()->series() != nullptr);
        QVERIFY(w.exportScreenshot(qEnvironmentVariable("SPINELENS_TEST_WORK") +
                                   "/viewer-after-retrieve.png"));
        d->grab().save(qEnvironmentVariable("SPINELENS_TEST_WORK") + "/query-retrieve.png");
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

private:
    QTemporaryDir cache_;
};

QTEST_MAIN(TestPacsGui)
#include "test_pacs_gui.moc"
