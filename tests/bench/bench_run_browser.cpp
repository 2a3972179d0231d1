// The run browser at scale: a 10,000-case run file (120 synthetic X-ray phantoms, each case a
// symbolic link to one of them, with stored Grad-CAM maps) opened in the real window, then its
// gallery scrolled at 60 frames per second. Prints the open time next to a bare SQLite read of
// the same rows (the floor any reader pays) and the per-frame cost of scrolling next to the
// 16.7 ms frame budget. Fails only when the browser cannot open the run.
#include "data/PhantomSets.h"
#include "eval/Evaluator.h"
#include "eval/RunFile.h"
#include "runs/CaseListModel.h"
#include "runs/CaseView.h"
#include "runs/GalleryView.h"
#include "runs/RunBrowser.h"
#include "runs/RunSession.h"
#include "view/SurfaceFormat.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

using namespace spinelens;
namespace fs = std::filesystem;

namespace {

std::vector<float> blob(double cx, double cy) {
    std::vector<float> v(128 * 128);
    for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
            v[std::size_t(y) * 128 + x] =
                float(std::exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2.0 * 15 * 15)));
    return v;
}

void makeRun(const fs::path& work, int count, const std::string& runPath) {
    const phantom::PhantomSetReport set =
        phantom::writeXrayPhantomSet((work / "xray").string(), 120, 5);
    std::vector<std::pair<fs::path, int>> images;
    for (int k = 0; k < int(set.classes.size()); ++k) {
        std::vector<fs::path> files;
        std::string folder = set.classes[std::size_t(k)];
        std::replace(folder.begin(), folder.end(), ' ', '_');
        for (const auto& e : fs::directory_iterator(work / "xray" / folder))
            files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files)
            images.push_back({f, k});
    }
    fs::create_directories(work / "cases");
    eval::RunInfo info;
    info.modelName = "bench";
    info.modelVersion = "1";
    info.datasetRoot = (work / "cases").string();
    info.split = "all";
    info.classes = set.classes;
    info.syntheticData = info.syntheticModel = true;
    info.plannedCases = count;
    auto run = eval::RunFile::create(runPath, info);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < count; ++i) {
        const auto& [source, label] = images[std::size_t(i) % images.size()];
        const fs::path link = work / "cases" / ("case_" + std::to_string(100000 + i) + ".png");
        fs::create_symlink(source, link);
        eval::CaseRecord c;
        c.path = link.string();
        c.trueLabel = label;
        c.predicted = u(rng) < 0.9 ? label : (label + 1 + int(u(rng) * 3)) % 4;
        const double confidence = 0.4 + 0.59 * u(rng);
        c.probabilities.assign(4, float((1 - confidence) / 3));
        c.probabilities[std::size_t(c.predicted)] = float(confidence);
        c.loss = -std::log(double(c.probabilities[std::size_t(c.trueLabel)]));
        c.correct = c.trueLabel == c.predicted;
        const auto predicted = eval::compactHeatmap(blob(30 + 70 * u(rng), 64), 128, 128);
        const auto truth = eval::compactHeatmap(blob(64, 30 + 70 * u(rng)), 128, 128);
        run->addCase(c, &predicted, c.correct ? nullptr : &truth);
        if (i % 500 == 499)
            run->flush();
    }
    run->flush();
    run->setComplete(true);
}

/// The floor: every case row read with bare SQLite calls, nothing interpreted.
double bareSqliteSeconds(const std::string& path) {
    QElapsedTimer t;
    t.start();
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT * FROM cases", -1, &s, nullptr);
    std::size_t bytes = 0;
    while (sqlite3_step(s) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(s); ++c)
            bytes += std::size_t(sqlite3_column_bytes(s, c));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return t.nsecsElapsed() / 1e9 + double(bytes) * 0;
}

double percentileOf(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size() - 1) + 0.5))];
}

} // namespace

int main(int argc, char** argv) {
    ui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    const fs::path work = argc > 1 ? argv[1] : "bench-run-browser";
    const int count = argc > 2 ? std::atoi(argv[2]) : 10000;
    fs::remove_all(work);
    fs::create_directories(work);
    const std::string runPath = (work / "run.sqlite").string();
    QElapsedTimer t;
    t.start();
    makeRun(work, count, runPath);
    std::printf("made a %d-case run file (120 synthetic X-ray phantoms behind symbolic links, "
                "Grad-CAM maps stored): %.1f s\n",
                count, t.nsecsElapsed() / 1e9);
    t.restart();
    eval::refreshMetrics(runPath);
    std::printf("  metrics stored (as evaluate does at its end, 1000 bootstrap resamples): "
                "%.2f s\n",
                t.nsecsElapsed() / 1e9);
    const double floor = bareSqliteSeconds(runPath);

    ui::RunBrowser browser;
    browser.resize(1500, 950);
    browser.show();
    if (!QTest::qWaitForWindowExposed(&browser))
        return 1;
    QSignalSpy opened(&browser, &ui::RunBrowser::runOpened);
    t.restart();
    browser.openRun(QString::fromStdString(runPath));
    if (!opened.wait(30000)) {
        std::printf("the browser did not open the run: %s\n", qPrintable(browser.lastProblem()));
        return 1;
    }
    browser.repaint(); // the metrics, confusion matrix and first gallery screen painted
    const double openSeconds = t.nsecsElapsed() / 1e9;
    std::printf("open %d cases in the browser (read, stored metrics, confusion matrix, plots, "
                "gallery painted): %.2f s (target < 2 s)\n",
                browser.cases()->rowCount(), openSeconds);
    std::printf("  bare SQLite read of the same rows: %.3f s; ratio browser/bare %.1f\n", floor,
                openSeconds / floor);

    // The first case (the most confidently wrong one) opens in the case viewer at once.
    while (browser.caseView()->isLoading() && t.elapsed() < 10000)
        QTest::qWait(5);
    std::printf("  first case decoded and drawn in the case viewer: %.2f s after the open "
                "began\n",
                t.nsecsElapsed() / 1e9);
    QTest::qWait(300);

    // Scroll at 60 frames per second: first as a wheel or trackpad does (32 px a frame, about
    // 11 rows of tiles a second), then as a dragged scroll bar does (a screen a frame).
    ui::GalleryView* gallery = browser.gallery();
    QScrollBar* bar = gallery->verticalScrollBar();
    std::vector<double> frames;
    const int madeBefore = browser.cases()->thumbnailsMade();
    QElapsedTimer frameClock;
    QElapsedTimer total;
    total.start();
    auto scroll = [&](int step, int count) {
        for (int frame = 0; frame < count && bar->value() < bar->maximum(); ++frame) {
            frameClock.restart();
            bar->setValue(bar->value() + step);
            gallery->viewport()->repaint();
            QCoreApplication::processEvents(); // thumbnails that arrived meanwhile
            const double ms = frameClock.nsecsElapsed() / 1e6;
            frames.push_back(ms);
            if (ms > 16.7 && std::getenv("SPINELENS_BENCH_VERBOSE"))
                std::printf("    frame %zu: %.1f ms\n", frames.size(), ms);
            if (ms < 16.7)
                QTest::qWait(int(16.7 - ms));
        }
    };
    const int step = 32;
    scroll(step, 600);
    scroll(gallery->viewport()->height(), 300);
    const int made = browser.cases()->thumbnailsMade() - madeBefore;
    const double scrolled = total.nsecsElapsed() / 1e9;
    // After the scroll stops, how quickly does the screen in view fill?
    QElapsedTimer settle;
    settle.start();
    auto visibleMissing = [&] {
        int missing = 0;
        for (int row = 0; row < browser.cases()->rowCount(); ++row) {
            const QModelIndex index = browser.cases()->index(row);
            if (!gallery->viewport()->rect().intersects(gallery->visualRect(index)))
                continue;
            missing += browser.cases()->data(index, Qt::DecorationRole).isNull();
        }
        return missing;
    };
    while (visibleMissing() > 0 && settle.elapsed() < 5000)
        QTest::qWait(10);
    const double worst = *std::max_element(frames.begin(), frames.end());
    const long over =
        std::count_if(frames.begin(), frames.end(), [](double f) { return f > 16.7; });
    std::printf("scroll the gallery: 600 frames at %d px, then 300 frames of a screen (%d px) "
                "each, %zu frames in %.1f s, %d of %d cases passed:\n",
                step, gallery->viewport()->height(), frames.size(), scrolled,
                gallery->indexAt(QPoint(10, 10)).row(), browser.cases()->rowCount());
    std::printf("  frame work (scroll, repaint, thumbnails landing): median %.2f ms, 99th "
                "percentile %.2f ms, worst %.2f ms; %ld of %zu frames over the 16.7 ms budget; "
                "worst/budget %.2f\n",
                percentileOf(frames, 50), percentileOf(frames, 99), worst, over, frames.size(),
                worst / 16.7);
    std::printf("  %d thumbnails made while scrolling (decoded, Grad-CAM blended, off the GUI "
                "thread); the screen in view complete %lld ms after the scroll stopped\n",
                made, settle.elapsed());
    return 0;
}
