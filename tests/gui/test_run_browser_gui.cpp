// The error-analysis browser in a real window (Xvfb): a click on every confusion-matrix cell
// shows exactly that cell's cases, thumbnails arrive from the worker, sorting and filters do
// what they say, the case view shows the image with both Grad-CAM maps and every probability,
// N / P step through the gallery, review edits reach the run file before the process is
// killed, exports work from the window, and bad run files or moved images get a message
// naming them while the browser keeps what it shows.
//
// The run file is built here with known cases (the expected cell contents come from the
// fixture's own list, not from the browser), with 64 x 48 PNG images and Grad-CAM maps whose
// hot spot is on the left for the predicted class and on the right for the true class.
#include "MainWindow.h"
#include "eval/Evaluator.h"
#include "eval/Metrics.h"
#include "eval/RunFile.h"
#include "raster/RasterIO.h"
#include "runs/CaseListModel.h"
#include "runs/CaseView.h"
#include "runs/ConfusionMatrixWidget.h"
#include "runs/GalleryView.h"
#include "runs/MetricsPanel.h"
#include "runs/ReviewPanel.h"
#include "runs/RunBrowser.h"
#include "runs/RunPlots.h"
#include "runs/RunSession.h"
#include "view/ImageView.h"
#include "view/SurfaceFormat.h"

#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QDropEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <unistd.h>

using namespace spinelens;
using namespace spinelens::ui;

namespace {

const std::vector<std::string> kClasses = {"foraminal stenosis", "osteophyte", "surgical implant",
                                           "normal"};
// The designed confusion matrix: [true][predicted] counts, zero cells included.
const std::vector<std::vector<int>> kCounts = {
    {5, 2, 0, 1}, {1, 4, 1, 0}, {0, 0, 3, 0}, {2, 0, 0, 6}};

struct FixtureCase {
    std::string path;
    int trueLabel, predicted;
    double confidence;
    bool inDomain; ///< every fifth case is outside the model's training data
};

std::vector<float> blob(int w, int h, double cx) {
    std::vector<float> v(std::size_t(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            v[std::size_t(y) * w + x] = float(std::exp(
                -((x - cx * w) * (x - cx * w) + (y - h / 2.0) * (y - h / 2.0)) / (2.0 * 36)));
    return v;
}

/// Writes the images and the run file; returns the cases in file order.
std::vector<FixtureCase> makeRun(const QString& dir, const QString& runPath) {
    std::vector<FixtureCase> cases;
    int n = 0;
    for (int t = 0; t < 4; ++t)
        for (int p = 0; p < 4; ++p)
            for (int k = 0; k < kCounts[t][p]; ++k, ++n) {
                // Distinct confidences so every sort order is unambiguous.
                cases.push_back(
                    {(dir + QString("/case_%1.png").arg(n, 3, 10, QChar('0'))).toStdString(), t, p,
                     0.40 + 0.02 * ((n * 7) % 29), n % 5 != 0});
            }
    eval::RunInfo info;
    info.modelName = "test-model";
    info.modelVersion = "0.1";
    info.datasetRoot = dir.toStdString();
    info.split = "all";
    info.classes = kClasses;
    info.syntheticModel = info.syntheticData = true;
    info.plannedCases = int(cases.size());
    info.domainChecked = true;
    info.domainThreshold = 100.0;
    auto run = eval::RunFile::create(runPath.toStdString(), info);
    for (const FixtureCase& c : cases) {
        std::vector<std::uint8_t> pixels(64 * 48);
        for (int y = 0; y < 48; ++y)
            for (int x = 0; x < 64; ++x)
                pixels[std::size_t(y) * 64 + x] = std::uint8_t(x * 3 + y);
        raster::writePng8(c.path, 64, 48, 1, pixels.data());
        eval::CaseRecord r;
        r.path = c.path;
        r.trueLabel = c.trueLabel;
        r.predicted = c.predicted;
        r.probabilities.assign(4, float((1.0 - c.confidence) / 3.0));
        r.probabilities[std::size_t(c.predicted)] = float(c.confidence);
        r.loss = -std::log(double(r.probabilities[std::size_t(c.trueLabel)]));
        r.correct = c.trueLabel == c.predicted;
        r.domainChecked = true;
        r.domainScore = c.inDomain ? 50.0 : 150.0;
        r.inDomain = c.inDomain;
        const eval::StoredHeatmap predictedMap = eval::compactHeatmap(blob(64, 48, 0.2), 64, 48);
        const eval::StoredHeatmap trueMap = eval::compactHeatmap(blob(64, 48, 0.8), 64, 48);
        run->addCase(r, &predictedMap, r.correct ? nullptr : &trueMap);
    }
    run->flush();
    run->setSkipped(
        {{(dir + "/fracture/a.png").toStdString(), "label not among the model's classes"}});
    run->setComplete(true);
    run.reset();
    eval::refreshMetrics(runPath.toStdString());
    return cases;
}

/// The strongest colour (saturation) down one column: the grey image has none, the heatmap's
/// hot spot a lot.
double redness(const QImage& image, double fx) {
    int best = 0;
    const int x = int(fx * image.width());
    for (int y = 0; y < image.height(); ++y) {
        const QColor c = image.pixelColor(x, y);
        best = std::max(best, std::max({c.red(), c.green(), c.blue()}) -
                                  std::min({c.red(), c.green(), c.blue()}));
    }
    return best;
}

} // namespace

class RunBrowserGui : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString runPath_;
    std::vector<FixtureCase> cases_;
    std::unique_ptr<RunBrowser> browser_;

    void openAndWait(RunBrowser& b, const QString& path) {
        QSignalSpy opened(&b, &RunBrowser::runOpened);
        b.openRun(path);
        QVERIFY(opened.wait(20000));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        runPath_ = dir_.filePath("run.sqlite");
        cases_ = makeRun(dir_.path(), runPath_);
        browser_ = std::make_unique<RunBrowser>();
        browser_->show();
        QVERIFY(QTest::qWaitForWindowExposed(browser_.get()));
        openAndWait(*browser_, runPath_);
        QCOMPARE(browser_->cases()->rowCount(), int(cases_.size()));
    }

    void clickingEachConfusionCellShowsExactlyItsCases() {
        ConfusionMatrixWidget* matrix = browser_->confusion();
        QCOMPARE(matrix->classCount(), 4);
        for (int t = 0; t < 4; ++t)
            for (int p = 0; p < 4; ++p) {
                const QRect cell = matrix->cellRect(t, p);
                QVERIFY(matrix->rect().contains(cell));
                QTest::mouseClick(matrix, Qt::LeftButton, {}, cell.center());
                std::set<std::string> expected, shown;
                for (const FixtureCase& c : cases_)
                    if (c.trueLabel == t && c.predicted == p)
                        expected.insert(c.path);
                const CaseListModel* model = browser_->cases();
                QCOMPARE(model->rowCount(), kCounts[t][p]);
                for (int row = 0; row < model->rowCount(); ++row)
                    shown.insert(
                        browser_->session()->run().cases[std::size_t(model->caseAt(row))].path);
                QVERIFY2(shown == expected, qPrintable(QString("cell %1,%2").arg(t).arg(p)));
                // The filter bar says the same, so the user sees which cell this is.
                QCOMPARE(browser_->trueFilter()->currentText(),
                         QString::fromStdString(kClasses[t]));
                QCOMPARE(browser_->predictedFilter()->currentText(),
                         QString::fromStdString(kClasses[p]));
                // A non-empty cell puts its first case in the case view.
                if (kCounts[t][p] > 0)
                    QCOMPARE(browser_->caseView()->caseIndex(), model->caseAt(0));
            }
        browser_->showCell(-1, -1);
        QCOMPARE(browser_->cases()->rowCount(), int(cases_.size()));
    }

    void confusionMatrixAndMetricsShowTheStoredFigures() {
        int right = 0;
        for (const FixtureCase& c : cases_)
            right += c.trueLabel == c.predicted;
        const QString accuracy = QString::number(double(right) / cases_.size(), 'f', 3);
        QTableWidget* summary = browser_->metricsPanel()->summaryTable();
        QCOMPARE(summary->item(0, 0)->text(), QString("Accuracy"));
        QCOMPARE(summary->item(0, 1)->text(), accuracy);
        QVERIFY(browser_->metricsPanel()->runDescription().contains("Synthetic"));
        // What evaluate left out is said with the run.
        const QString warnings = browser_->session()->run().warnings.join(" ");
        QVERIFY2(warnings.contains("fracture/a.png") && warnings.contains("left out"),
                 qPrintable(warnings));
        QTableWidget* perClass = browser_->metricsPanel()->classTable();
        QCOMPARE(perClass->rowCount(), 4);
        QCOMPARE(perClass->item(2, 1)->text(), QString("3")); // surgical implant support
        // Recall of "surgical implant" is 3/3; precision 3/4 (one osteophyte predicted so).
        QCOMPARE(perClass->item(2, 3)->text(), QString("1.000"));
        QCOMPARE(perClass->item(2, 2)->text(), QString("0.750"));
        // Every class has positives and negatives: 4 ROC curves plus the chance line.
        QCOMPARE(browser_->plots()->rocChart()->series().size(), 5);
        QCOMPARE(browser_->plots()->prChart()->series().size(), 4);
        QCOMPARE(browser_->plots()->calibrationChart()->series().size(), 2);
        // For looking at: SPINELENS_SCREENSHOTS=DIR saves the metrics and the plots pages.
        const QString shots = qEnvironmentVariable("SPINELENS_SCREENSHOTS");
        if (!shots.isEmpty()) {
            auto* tabs = browser_->metricsPanel()->parentWidget()->parentWidget();
            auto* tabWidget = qobject_cast<QTabWidget*>(tabs);
            QVERIFY(tabWidget);
            for (int page = 0; page < tabWidget->count(); ++page) {
                tabWidget->setCurrentIndex(page);
                QTest::qWait(100);
                browser_->grabWindowImage().save(shots + QString("/browser-tab%1.png").arg(page));
            }
            tabWidget->setCurrentIndex(0);
        }
    }

    void thumbnailsArriveFromTheWorker() {
        browser_->showCell(-1, -1);
        const int index = browser_->sortBox()->findText("File name");
        browser_->sortBox()->setCurrentIndex(index);
        CaseListModel* model = browser_->cases();
        model->setThumbnailMap(ThumbnailMap::None);
        // The first call asks the worker; the image arrives later without blocking.
        model->data(model->index(0), Qt::DecorationRole);
        QTRY_VERIFY_WITH_TIMEOUT(
            !model->data(model->index(0), Qt::DecorationRole).value<QImage>().isNull(), 10000);
        const QImage thumb = model->data(model->index(0), Qt::DecorationRole).value<QImage>();
        QCOMPARE(thumb.width(), 128); // 64 x 48 fitted into 128 x 128
        QCOMPARE(thumb.height(), 96);
        // The image's gradient (x * 3 + y) runs left to right: dark left, bright right.
        QVERIFY(qGray(thumb.pixel(4, 48)) + 100 < qGray(thumb.pixel(123, 48)));
        model->setThumbnailMap(ThumbnailMap::Predicted);
        QTRY_VERIFY_WITH_TIMEOUT(
            !model->data(model->index(0), Qt::DecorationRole).value<QImage>().isNull(), 10000);
        const QImage heat = model->data(model->index(0), Qt::DecorationRole).value<QImage>();
        QVERIFY(redness(heat, 0.2) > redness(heat, 0.8) + 40); // the hot spot is on the left
        browser_->sortBox()->setCurrentIndex(0);
    }

    void sortingOrdersTheGallery() {
        CaseListModel* model = browser_->cases();
        const auto& run = browser_->session()->run();
        model->setSort(CaseSort::MostConfidentlyWrong);
        int wrong = 0;
        for (const FixtureCase& c : cases_)
            wrong += c.trueLabel != c.predicted;
        for (int row = 0; row + 1 < model->rowCount(); ++row) {
            const auto& a = run.cases[std::size_t(model->caseAt(row))];
            const auto& b = run.cases[std::size_t(model->caseAt(row + 1))];
            if (row + 1 < wrong) {
                QVERIFY(!a.correct && !b.correct);
                QVERIFY(a.confidence() >= b.confidence());
            } else if (row >= wrong) {
                QVERIFY(a.correct && b.correct);
                QVERIFY(a.confidence() <= b.confidence());
            }
        }
        model->setSort(CaseSort::LossHigh);
        for (int row = 0; row + 1 < model->rowCount(); ++row)
            QVERIFY(run.cases[std::size_t(model->caseAt(row))].loss >=
                    run.cases[std::size_t(model->caseAt(row + 1))].loss);
        model->setSort(CaseSort::ConfidenceHigh);
        for (int row = 0; row + 1 < model->rowCount(); ++row)
            QVERIFY(run.cases[std::size_t(model->caseAt(row))].confidence() >=
                    run.cases[std::size_t(model->caseAt(row + 1))].confidence());
        model->setSort(CaseSort::MostConfidentlyWrong);
        // Filters by class from the combo boxes.
        browser_->trueFilter()->setCurrentIndex(4); // normal
        QCOMPARE(model->rowCount(), 8);
        browser_->predictedFilter()->setCurrentIndex(1); // foraminal stenosis
        QCOMPARE(model->rowCount(), 2);
        browser_->showCell(-1, -1);
    }

    void caseViewShowsImageBothMapsAndProbabilities() {
        // Cell (osteophyte, surgical implant) holds exactly one wrong case.
        browser_->showCell(1, 2);
        CaseView* view = browser_->caseView();
        QTRY_VERIFY_WITH_TIMEOUT(!view->isLoading(), 10000);
        QVERIFY(view->imageView()->hasImage());
        QVERIFY(view->imageView()->heatmapShown());
        const QImage predicted = view->predictedMapImage(), truth = view->trueMapImage();
        QVERIFY(!predicted.isNull() && !truth.isNull());
        QVERIFY(redness(predicted, 0.2) > redness(predicted, 0.8) + 40);
        QVERIFY(redness(truth, 0.8) > redness(truth, 0.2) + 40);
        const auto& c = browser_->session()->run().cases[std::size_t(view->caseIndex())];
        const QString text = view->probabilitiesLabel()->text();
        for (const auto& name : kClasses)
            QVERIFY(text.contains(QString::fromStdString(name)));
        QVERIFY(text.contains(QString::number(c.probabilities[2] * 100.0, 'f', 1) + "%"));
        QVERIFY(view->headerLabel()->text().contains("wrong"));
        // What the user sees: the viewer's pixels differ with and without the overlay.
        const QPoint hot = view->imageView()->imageToWidget({0.2 * 64, 24.0}).toPoint();
        QTest::qWait(50);
        const QRgb a = view->imageView()->screenshot().pixel(hot);
        view->setOverlay(2);
        QVERIFY(!view->imageView()->heatmapShown());
        QTest::qWait(50);
        const QRgb b = view->imageView()->screenshot().pixel(hot);
        QVERIFY2(std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) +
                         std::abs(qBlue(a) - qBlue(b)) >
                     60,
                 qPrintable(QString("%1 vs %2").arg(a, 0, 16).arg(b, 0, 16)));
        view->setOverlay(0);
        // Window/level in the case's viewer (right-drag as in the main viewer).
        const Window before = view->imageView()->windowLevel();
        view->imageView()->setWindow({before.center + 10, before.width * 2});
        QVERIFY(view->imageView()->windowLevel().width > before.width);
    }

    void keysStepThroughTheGallery() {
        browser_->showCell(0, 0); // 5 cases
        // Real key events through the window, so they meet the shortcuts as typed keys do.
        browser_->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(browser_.get()));
        browser_->gallery()->setFocus();
        QWindow* window = browser_->windowHandle();
        CaseListModel* model = browser_->cases();
        QCOMPARE(browser_->gallery()->currentIndex().row(), 0);
        QTest::keyClick(window, Qt::Key_N);
        QCOMPARE(browser_->gallery()->currentIndex().row(), 1);
        QCOMPARE(browser_->caseView()->caseIndex(), model->caseAt(1));
        QTest::keyClick(window, Qt::Key_N);
        QTest::keyClick(window, Qt::Key_P);
        QCOMPARE(browser_->gallery()->currentIndex().row(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!browser_->caseView()->isLoading(), 10000);
        QCOMPARE(browser_->caseView()->caseIndex(), model->caseAt(1));
    }

    void reviewEditsAreInTheFileBeforeAKill() {
        // A child process makes the edits through the widgets and is killed at once (SIGKILL,
        // no clean-up); the file must hold every edit.
        QTemporaryDir work;
        const QString copy = work.filePath("review.sqlite");
        makeRun(work.path(), copy);
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SPINELENS_REVIEW_CHILD", copy);
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::ForwardedChannels);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit); // it was killed
        auto run = eval::RunFile::open(copy.toStdString(), false);
        const auto reviews = run->reviews();
        QCOMPARE(int(reviews.size()), 1);
        const eval::Review& r = reviews.begin()->second;
        QCOMPARE(r.tags, (std::set<std::string>{"label error", "blurry"}));
        QCOMPARE(QString::fromStdString(r.note), QString("looks like a bad label"));
        QCOMPARE(r.relabel, 2);
    }

    void tagFilterShowsTaggedCases() {
        CaseListModel* model = browser_->cases();
        browser_->showCell(3, 0);
        const int caseIndex = model->caseAt(0);
        ReviewPanel* review = browser_->caseView()->reviewPanel();
        QCOMPARE(review->caseIndex(), caseIndex);
        review->tagBox("artefact")->click();
        browser_->showCell(-1, -1);
        const int tagIndex = browser_->tagFilter()->findText("artefact");
        QVERIFY(tagIndex > 0);
        browser_->tagFilter()->setCurrentIndex(tagIndex);
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->caseAt(0), caseIndex);
        browser_->showCell(-1, -1);
    }

    void exportsFromTheWindow() {
        const QString csv = dir_.filePath("cases.csv");
        QVERIFY(browser_->exportCsv(csv));
        std::ifstream in(csv.toStdString());
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        QVERIFY(text.find("artefact") != std::string::npos); // the tag made above
        QCOMPARE(int(std::count(text.begin(), text.end(), '\n')), int(cases_.size()) + 1);
        const QString html = dir_.filePath("report.html");
        QSignalSpy done(browser_.get(), &RunBrowser::exportFinished);
        browser_->exportHtml(html);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().at(1).toString(), QString());
        std::ifstream hin(html.toStdString());
        const std::string report((std::istreambuf_iterator<char>(hin)), {});
        QVERIFY(report.find("<svg") != std::string::npos);
        QVERIFY(report.find("data:image/png;base64,") != std::string::npos);
        QVERIFY(report.find("Left out of the run (1)") != std::string::npos);
        // Every part of the page, in order: header, metrics, charts, confusion, cases.
        std::size_t at = 0;
        for (const char* part :
             {"<h1>Evaluation of", "SYNTHETIC", "<h2>Metrics</h2>", "Intervals: bootstrap over",
              "<svg", "<h2>Confusion matrix</h2>", "<h2>Misclassified cases", "</body></html>"}) {
            const std::size_t found = report.find(part, at);
            QVERIFY2(found != std::string::npos, part);
            at = found;
        }
        // A folder that does not exist: a message naming it, nothing else changes.
        QVERIFY(!browser_->exportCsv(dir_.filePath("no/such/dir/cases.csv")));
        QVERIFY(browser_->lastProblem().contains("no/such/dir"));
    }

    void badRunFilesAreNamedAndTheRunStays() {
        const int shown = browser_->cases()->rowCount();
        const QString text = dir_.filePath("notes.sqlite");
        {
            std::ofstream out(text.toStdString());
            out << "not a database\n";
        }
        QSignalSpy problem(browser_.get(), &RunBrowser::problem);
        browser_->openRun(text);
        QVERIFY(problem.wait(10000));
        QVERIFY(problem.last().at(0).toString().contains("notes.sqlite"));
        // A run written by a newer SpineLens.
        const QString newer = dir_.filePath("newer.sqlite");
        QVERIFY(QFile::copy(runPath_, newer));
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(newer.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version=99;", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        browser_->openRun(newer);
        QVERIFY(problem.wait(10000));
        QVERIFY(problem.last().at(0).toString().contains("newer.sqlite"));
        QVERIFY(problem.last().at(0).toString().contains("newer"));
        // Another program's SQLite file.
        const QString foreign = dir_.filePath("foreign.sqlite");
        QCOMPARE(sqlite3_open(foreign.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        browser_->openRun(foreign);
        QVERIFY(problem.wait(10000));
        QVERIFY(problem.last().at(0).toString().contains("foreign.sqlite"));
        // The run that was open is still there and still works.
        QCOMPARE(browser_->session()->run().path, runPath_);
        QCOMPARE(browser_->cases()->rowCount(), shown);
        browser_->showCell(0, 1);
        QCOMPARE(browser_->cases()->rowCount(), 2);
    }

    void movedImagesAreNamedAndMapsStillShown() {
        QTemporaryDir work;
        const QString path = work.filePath("moved.sqlite");
        const auto cases = makeRun(work.path(), path);
        // Move the one case of cell (osteophyte, surgical implant).
        std::string moved;
        for (const auto& c : cases)
            if (c.trueLabel == 1 && c.predicted == 2)
                moved = c.path;
        QVERIFY(QFile::rename(QString::fromStdString(moved), work.filePath("elsewhere.png")));
        RunBrowser b;
        b.show();
        openAndWait(b, path);
        QCOMPARE(b.session()->run().missingImages, 1);
        QVERIFY(b.session()->run().warnings.join(" ").contains(QString::fromStdString(moved)));
        b.showCell(1, 2);
        QTRY_VERIFY_WITH_TIMEOUT(!b.caseView()->isLoading(), 10000);
        QVERIFY(!b.caseView()->imageView()->hasImage());
        QVERIFY(!b.caseView()->predictedMapImage().isNull()); // the stored map, on black
        // Everything else still opens.
        b.showCell(1, 1);
        QTRY_VERIFY_WITH_TIMEOUT(!b.caseView()->isLoading(), 10000);
        QVERIFY(b.caseView()->imageView()->hasImage());
    }

    void theViewerOpensARunFileInTheBrowser() {
        MainWindow window;
        window.show();
        // A run file dropped on the viewer opens the browser.
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(runPath_)});
        QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QVERIFY(QApplication::sendEvent(&window, &drop));
        auto* browser = window.findChild<RunBrowser*>();
        QVERIFY(browser);
        QSignalSpy opened(browser, &RunBrowser::runOpened);
        QVERIFY(browser->session()->isOpen() || opened.wait(20000));
        QCOMPARE(browser->cases()->rowCount(), int(cases_.size()));
    }

    void domainFilterListsTheCasesOutsideTheTrainingData() {
        openAndWait(*browser_, runPath_);
        std::vector<int> outside, inside;
        for (int i = 0; i < int(cases_.size()); ++i)
            (cases_[std::size_t(i)].inDomain ? inside : outside).push_back(i);
        QVERIFY(browser_->domainFilter()->isEnabled());
        const QString note =
            QString("%1 of %2 cases are outside").arg(outside.size()).arg(cases_.size());
        bool bannerSays = false;
        for (QLabel* l : browser_->findChildren<QLabel*>())
            bannerSays = bannerSays || (l->isVisible() && l->text().contains(note));
        QVERIFY2(bannerSays, qPrintable(note));
        for (const auto& [index, expected] : {std::pair{2, outside}, {1, inside}}) {
            browser_->domainFilter()->setCurrentIndex(index);
            std::vector<int> shown = browser_->cases()->shownCases();
            std::sort(shown.begin(), shown.end());
            QCOMPARE(shown, expected);
        }
        browser_->domainFilter()->setCurrentIndex(2);
        QVERIFY(browser_->cases()
                    ->data(browser_->cases()->index(0), Qt::DisplayRole)
                    .toString()
                    .contains("OUT OF DOMAIN"));
        browser_->domainFilter()->setCurrentIndex(0);
        QCOMPARE(int(browser_->cases()->shownCases().size()), int(cases_.size()));
    }

    void cleanupTestCase() { browser_.reset(); }
};

namespace {

/// The killed child of reviewEditsAreInTheFileBeforeAKill.
int reviewAndDie(const QString& runPath) {
    RunBrowser b;
    b.show();
    QSignalSpy opened(&b, &RunBrowser::runOpened);
    b.openRun(runPath);
    if (!opened.wait(20000))
        return 3;
    b.showCell(1, 0); // one osteophyte case predicted as stenosis
    ReviewPanel* review = b.caseView()->reviewPanel();
    QTest::mouseClick(review->tagBox("label error"), Qt::LeftButton);
    QTest::keyClicks(review->freeTagsEdit(), "Blurry");
    QTest::keyClick(review->freeTagsEdit(), Qt::Key_Return);
    QTest::keyClicks(review->noteEdit(), "looks like a bad label");
    review->relabelBox()->setCurrentIndex(3); // "(no proposal)" + classes: surgical implant
    ::kill(::getpid(), SIGKILL);
    return 4;
}

} // namespace

int main(int argc, char** argv) {
    setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName("SpineLensRunBrowserTest");
    const QString child = qEnvironmentVariable("SPINELENS_REVIEW_CHILD");
    if (!child.isEmpty())
        return reviewAndDie(child);
    RunBrowserGui test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_run_browser_gui.moc"
