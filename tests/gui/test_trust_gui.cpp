// The domain check in a real window, with the shipped packages and files nobody here made:
// pydicom's head MR (MR_small.dcm) under the lumbar MRI model shows no finding (a notice in
// place of the bars, no heatmap, the slice not flagged in the strip); "Show raw output anyway"
// shows grey bars under "OUT OF DOMAIN" and the heatmap with the same mark in the view's
// corner. A synthetic X-ray phantom under the X-ray model shows its finding as before, with the
// calibration and the domain check named in the model box.
#include "MainWindow.h"
#include "WindowUtil.h"
#include "ai/AiController.h"
#include "ai/ConfidencePanel.h"
#include "ai/SliceStrip.h"
#include "data/PhantomSets.h"
#include "view/ImageView.h"
#include "view/SurfaceFormat.h"

#include <QDir>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace spinelens;
using namespace spinelens::ui;

class TrustGui : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> window_;
    QTemporaryDir dir_;

    // Opens a file and waits for the AI's answer for the slice in view.
    void openAndClassify(const QString& path) {
        QSignalSpy results(window_->ai(), &AiController::sliceResult);
        QSignalSpy ready(window_.get(), &MainWindow::seriesReady);
        window_->openPaths({path});
        QVERIFY(ready.wait(30000));
        QVERIFY(results.wait(120000));
        QTest::qWait(100);
    }
    void saveShot(const QString& name) {
        const QString out = qEnvironmentVariable("SPINELENS_SCREENSHOT_DIR");
        if (!out.isEmpty())
            grabWindowWithView(window_.get(), window_->imageView()).save(out + "/" + name);
    }
    ProbabilityBars* bars() { return window_->confidencePanel()->findChild<ProbabilityBars*>(); }
    QPushButton* revealButton() {
        for (auto* b : window_->confidencePanel()->findChildren<QPushButton*>())
            if (b->text().contains("raw output"))
                return b;
        return nullptr;
    }

public:
    static void initMain() { setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensTrustGuiTest");
        QSettings().clear(); // default models, chosen by the kind of image
        window_ = std::make_unique<MainWindow>();
        window_->resize(1300, 850);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    }

    void headMrIsRefusedByTheLumbarModel() {
        openAndClassify(QString(SPINELENS_PYDICOM_FILES) + "/MR_small.dcm");
        ConfidencePanel* panel = window_->confidencePanel();
        const ConfidenceState& s = panel->state();
        QVERIFY(s.aiOn);
        QVERIFY2(s.headline.contains("lumbar-mri-binary"), qPrintable(s.headline));
        QVERIFY(s.outOfDomain);
        QVERIFY(s.domainScore > s.domainThreshold);
        QVERIFY2(panel->outOfDomainText().contains("no finding is shown"),
                 qPrintable(panel->outOfDomainText()));
        QVERIFY(!bars()->isVisible());
        QVERIFY(!window_->imageView()->heatmapShown());
        QVERIFY(!window_->imageView()->cornerText(1).contains("OUT OF DOMAIN"));
        QVERIFY(panel->modelText().contains("Domain check: on"));
        QVERIFY2(panel->modelText().contains("not calibrated"), qPrintable(panel->modelText()));
        saveShot("trust-refused.png");

        // Raw output on purpose: grey bars under the mark, the heatmap marked in the view.
        QPushButton* reveal = revealButton();
        QVERIFY(reveal && reveal->isVisible());
        QTest::mouseClick(reveal, Qt::LeftButton);
        QTest::qWait(100);
        QVERIFY(bars()->isVisible());
        QVERIFY(window_->imageView()->heatmapShown());
        QVERIFY2(window_->imageView()->cornerText(1).contains("OUT OF DOMAIN"),
                 qPrintable(window_->imageView()->cornerText(1)));
        const QImage panelShot = bars()->grab().toImage();
        QVERIFY(!panelShot.isNull());
        // The bars are painted grey (no orange "predicted" bar) under a grey banner.
        bool orange = false;
        for (int y = 0; y < panelShot.height(); ++y)
            for (int x = 0; x < panelShot.width(); ++x) {
                const QRgb c = panelShot.pixel(x, y);
                orange = orange ||
                         (qRed(c) > 200 && qGreen(c) > 100 && qGreen(c) < 140 && qBlue(c) < 60);
            }
        QVERIFY(!orange);
        saveShot("trust-revealed.png");
        QTest::mouseClick(reveal, Qt::LeftButton); // and hidden again
        QVERIFY(!bars()->isVisible());
        QVERIFY(!window_->imageView()->heatmapShown());
    }

    void phantomXrayShowsItsFinding() {
        phantom::writeXrayPhantomSet(dir_.filePath("xray").toStdString(), 4, 4242);
        const QStringList pngs = QDir(dir_.filePath("xray/normal")).entryList({"*.png"});
        QVERIFY(!pngs.isEmpty());
        openAndClassify(dir_.filePath("xray/normal/" + pngs.front()));
        ConfidencePanel* panel = window_->confidencePanel();
        const ConfidenceState& s = panel->state();
        QVERIFY2(s.headline.contains("spine-xray-4class"), qPrintable(s.headline));
        QVERIFY2(!s.outOfDomain, qPrintable(QString::number(s.domainScore)));
        QVERIFY(panel->outOfDomainText().isEmpty());
        QVERIFY(bars()->isVisible());
        QVERIFY(!revealButton()->isVisible());
        QVERIFY(window_->imageView()->heatmapShown());
        QVERIFY(!window_->imageView()->cornerText(1).contains("OUT OF DOMAIN"));
        QVERIFY2(panel->modelText().contains("calibrated by temperature scaling"),
                 qPrintable(panel->modelText()));
        saveShot("trust-in-domain.png");
    }

    void refusedSlicesAreNotFlaggedInTheStrip() {
        // A phantom MRI series: each slice's mark is its flag strength, or -1 ("not assessed",
        // hatched) exactly for the slices the model refused. Then the head MR: its one slice
        // is refused, so the strip marks it -1, never as flagged.
        phantom::writeMriPhantomSet(dir_.filePath("mri").toStdString(), 2, 4343);
        const QStringList studies =
            QDir(dir_.filePath("mri/train_images")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY(!studies.isEmpty());
        const QString studyDir = dir_.filePath("mri/train_images/" + studies.front());
        const QString seriesDir =
            studyDir + "/" + QDir(studyDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot).front();
        for (const QString& path :
             {seriesDir, QString(SPINELENS_PYDICOM_FILES) + "/MR_small.dcm"}) {
            QSignalSpy series(window_->ai(), &AiController::seriesResult);
            openAndClassify(path);
            QVERIFY(!series.isEmpty() || series.wait(60000));
            const auto prediction = series.last().at(0).value<ai::SeriesPrediction>();
            const std::vector<float>& marks = window_->sliceStrip()->values();
            QCOMPARE(marks.size(), prediction.slices.size());
            int refused = 0;
            for (std::size_t k = 0; k < marks.size(); ++k) {
                const bool inside = prediction.slices[k].domain.inDomain;
                refused += !inside;
                QVERIFY(inside ? marks[k] >= 0.0f && marks[k] <= 1.0f : marks[k] == -1.0f);
            }
            QCOMPARE(refused, prediction.outOfDomainSlices);
            if (path.endsWith("MR_small.dcm"))
                QCOMPARE(marks, std::vector<float>{-1.0f});
            else
                QVERIFY2(refused < int(marks.size()) / 2, "a phantom series was mostly refused");
        }
    }

    void aModelForAnotherModalityDoesNotRunUnlessAllowed() {
        // `spinelens --model DIR`: this run only, nothing written to the settings. The X-ray
        // model on the head MR: not run, the panel names both modalities.
        const QString before = QSettings().value("model/mode", "auto").toString();
        QSignalSpy changed(window_->ai(), &AiController::modelChanged);
        window_->useModelForThisRun(QString(SPINELENS_SOURCE_DIR) + "/models/spine-xray-4class");
        QVERIFY(changed.wait(60000));
        QCOMPARE(QSettings().value("model/mode", "auto").toString(), before);
        const ConfidenceState& s = window_->confidencePanel()->state();
        QVERIFY2(s.headline.contains("spine-xray-4class"), qPrintable(s.headline));
        QVERIFY2(s.message.contains("is for DX radiographs") && s.message.contains("MR image"),
                 qPrintable(s.message));
        QVERIFY(s.probabilities.empty());
        QVERIFY(!bars()->isVisible() || s.probabilities.empty());
        QVERIFY(!window_->imageView()->heatmapShown());
        QVERIFY(window_->sliceStrip()->values().empty());
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(TrustGui)
#include "test_trust_gui.moc"
