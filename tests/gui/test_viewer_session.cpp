// The viewer's session without its window: what one viewport shows (series, volume, the AI's
// answer, measurements) follows the study as the user opens series, and an answer or a
// measurement of one image never stays with the next. Uses the shipped packages (synthetic).
#include "StudyLoader.h"
#include "ViewerSession.h"
#include "ai/AiController.h"

#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace spinelens;
using namespace spinelens::ui;

namespace {

// A lateral-X-ray-like grey image: bright vertebra-sized blocks on a dark background.
bool writeXray(const QString& path, int width, int height, int shift) {
    QImage png(width, height, QImage::Format_Grayscale8);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            png.scanLine(y)[x] =
                (x > width / 3 && x < 2 * width / 3 && ((y + shift) / 24) % 2 == 0) ? 190 : 50;
    return png.save(path);
}

} // namespace

class ViewerSessionTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString first_, second_;

    // The model loads after the image opens (AI is off until then): wait for its answer.
    static bool waitForAnswer(ViewerSession& s) {
        const bool answered =
            QTest::qWaitFor([&] { return !s.confidence().probabilities.empty(); }, 60000);
        if (!answered)
            qWarning("no answer; AI: %s", qPrintable(s.confidence().offReason));
        return answered;
    }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensSessionTest");
        QSettings().clear(); // default models: the shipped X-ray package for PNGs
        first_ = dir_.path() + "/a.png";
        second_ = dir_.path() + "/b.png";
        QVERIFY(writeXray(first_, 256, 256, 0));
        QVERIFY(writeXray(second_, 224, 256, 11));
    }

    void anAnswerAndMeasurementsStayWithTheirImage() {
        ViewerSession s;
        QSignalSpy scanned(&s, &ViewerSession::scanFinished);
        s.scan({first_, second_});
        QVERIFY(scanned.wait(20000));
        QCOMPARE(int(s.scanResult()->series.size()), 2);
        QVERIFY(s.openSeries(0));
        QVERIFY(waitForAnswer(s));
        QVERIFY(s.confidence().aiOn);
        QCOMPARE(int(s.confidence().probabilities.size()), 4);
        s.addMeasurement(0, measureDistance({0, 0}, {3, 4}, false));
        QCOMPARE(int(s.measurements().size()), 1);

        // The second image: the moment it starts, nothing of the first is left.
        QSignalSpy started(&s, &ViewerSession::seriesStarted);
        QVERIFY(s.openSeries(1));
        QVERIFY(started.count() == 1 || started.wait(20000));
        QCOMPARE(s.seriesIndex(), 1);
        QVERIFY(s.confidence().probabilities.empty());
        QVERIFY(!s.heatmapToShow(false));
        QVERIFY(s.measurements().empty());
        QCOMPARE(s.volume()->width, 224);
        // Its own answer then arrives.
        QVERIFY(waitForAnswer(s));
        QCOMPARE(int(s.confidence().probabilities.size()), 4);
    }

    void aSeriesThatCannotBeOpenedLeavesNothingShown() {
        const QString gone = dir_.path() + "/gone.png";
        QVERIFY(writeXray(gone, 256, 256, 5));
        ViewerSession s;
        QSignalSpy scanned(&s, &ViewerSession::scanFinished);
        s.scan({first_, gone});
        QVERIFY(scanned.wait(20000));
        QVERIFY(s.openSeries(0));
        QVERIFY(waitForAnswer(s));
        int goneIndex = -1;
        for (int i = 0; i < int(s.scanResult()->series.size()); ++i)
            for (const auto& slice : s.scanResult()->series[std::size_t(i)].slices)
                if (QString::fromStdString(slice.path).endsWith("gone.png"))
                    goneIndex = i;
        QVERIFY(goneIndex >= 0);
        QVERIFY(QFile::remove(gone)); // deleted between scanning and opening
        QSignalSpy failed(&s, &ViewerSession::loadFailed);
        QVERIFY(s.openSeries(goneIndex));
        QVERIFY(failed.wait(20000));
        QVERIFY2(failed.first().first().toString().contains("gone.png"),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!s.series());
        QVERIFY(!s.volume());
        QVERIFY(s.confidence().probabilities.empty());
        // The rest keeps working: the first image opens again with its answer.
        QVERIFY(s.openSeries(0));
        QVERIFY(waitForAnswer(s));
        QCOMPARE(int(s.confidence().probabilities.size()), 4);
    }

    void aNewModelExplainsItsPredictedClass() {
        ViewerSession s;
        s.setExplainChoice({ai::ExplainMethod::GradCam, 2}); // "surgical implant" of the X-ray
        QSignalSpy changed(s.ai(), &AiController::modelChanged);
        s.useModelForThisRun(QStringLiteral(SPINELENS_SOURCE_MODELS) + "/lumbar-mri-binary");
        QVERIFY(changed.wait(60000));
        QVERIFY(s.ai()->model());
        QCOMPARE(s.explainChoice().classIndex, -1); // two classes now: no class 2 to explain
    }
};

QTEST_GUILESS_MAIN(ViewerSessionTest)
#include "test_viewer_session.moc"
