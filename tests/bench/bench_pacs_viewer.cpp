// The viewer's half of bench_pacs: File > Query/Retrieve in a real window finds the bench
// series by its accession number and retrieves it, and this prints (JSON, milliseconds after
// Retrieve was clicked) when the series opened, when its first slice was loaded, when that
// slice was on screen (the view rendered and read back, not blank) and when the whole
// retrieve finished. usage: bench_pacs_viewer SERVER ACCESSION CACHE_DIR
#include "MainWindow.h"
#include "ViewerSession.h"
#include "pacs/QueryRetrieveDialog.h"
#include "util/Allocator.h"
#include "view/ImageView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>

#include <cstdio>
#include <functional>

using namespace spinelens::ui;

namespace {

// Runs the event loop until `done` or the deadline; false on the deadline.
bool waitFor(const std::function<bool()>& done, int milliseconds) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > milliseconds)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

// More than one grey level in the middle of the view: an image, not an empty background.
bool showsAnImage(const QImage& frame) {
    if (frame.isNull())
        return false;
    const QImage middle =
        frame.copy(frame.width() / 4, frame.height() / 4, frame.width() / 2, frame.height() / 2)
            .convertToFormat(QImage::Format_Grayscale8);
    int lowest = 255, highest = 0;
    for (int y = 0; y < middle.height(); y += 4)
        for (int x = 0; x < middle.width(); x += 4) {
            const int v = middle.pixelColor(x, y).value();
            lowest = std::min(lowest, v);
            highest = std::max(highest, v);
        }
    return highest - lowest > 16;
}

} // namespace

int main(int argc, char** argv) {
    spinelens::keepFreedMemoryForReuse(); // before any thread starts
    QApplication app(argc, argv);
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s SERVER ACCESSION CACHE_DIR\n", argv[0]);
        return 2;
    }
    QCoreApplication::setOrganizationName("SpineLensBench");
    QCoreApplication::setApplicationName("bench_pacs_viewer");
    QSettings().clear();
    QSettings().setValue("pacs/cacheFolder", QString::fromLocal8Bit(argv[3]));

    MainWindow w;
    w.resize(1200, 800);
    w.show();
    QueryRetrieveDialog* d = w.queryRetrieve();
    d->show();
    d->addressEdit()->setText(QString::fromLocal8Bit(argv[1]));
    d->accessionEdit()->setText(QString::fromLocal8Bit(argv[2]));
    d->searchButton()->click();
    if (!waitFor([&] { return d->results()->rowCount() == 1; }, 30000)) {
        std::fprintf(stderr, "bench_pacs_viewer: the search found %d studies, not 1\n",
                     d->results()->rowCount());
        return 1;
    }
    QElapsedTimer clock;
    qint64 opened = -1, loaded = -1, onScreen = -1, finished = -1;
    bool complete = false;
    QString summary;
    QObject::connect(w.session(), &ViewerSession::seriesStarted, &w, [&] {
        if (opened < 0)
            opened = clock.elapsed();
    });
    QObject::connect(w.session(), &ViewerSession::sliceLoaded, &w, [&] {
        if (loaded < 0 && w.imageView()->isSliceLoaded(w.imageView()->sliceIndex()))
            loaded = clock.elapsed();
    });
    QObject::connect(d, &QueryRetrieveDialog::retrieveFinished, &w, [&](bool ok, QString text) {
        finished = clock.elapsed();
        complete = ok;
        summary = text;
    });
    d->results()->selectRow(0);
    clock.start();
    d->retrieveButton()->click();
    // The first slice in view: rendered and read back from the window.
    if (!waitFor([&] { return loaded >= 0; }, 120000)) {
        std::fprintf(stderr, "bench_pacs_viewer: no slice was shown within 2 minutes\n");
        return 1;
    }
    QCoreApplication::processEvents();
    const QImage frame = w.imageView()->screenshot(); // renders and reads the frame back
    onScreen = clock.elapsed();
    if (!showsAnImage(frame)) {
        std::fprintf(stderr, "bench_pacs_viewer: the view shows no image after the first slice "
                             "was loaded\n");
        return 1;
    }
    if (!waitFor([&] { return finished >= 0; }, 300000) || !complete) {
        std::fprintf(stderr, "bench_pacs_viewer: the retrieve did not finish: %s\n",
                     qPrintable(summary));
        return 1;
    }
    std::printf("{\"seriesOpenedMs\": %lld, \"firstSliceLoadedMs\": %lld, "
                "\"firstSliceOnScreenMs\": %lld, \"retrieveFinishedMs\": %lld}\n",
                opened, loaded, onScreen, finished);
    return 0;
}
