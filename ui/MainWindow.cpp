#include "MainWindow.h"

#include "StudyLoader.h"
#include "ViewerSession.h"
#include "WindowUtil.h"
#include "ai/AiController.h"
#include "ai/SliceStrip.h"
#include "image/WindowLevel.h"
#include "pacs/QueryRetrieveDialog.h"
#include "panels/SeriesBrowser.h"
#include "panels/TagBrowser.h"
#include "runs/RunBrowser.h"
#include "runs/RunSession.h"
#include "view/ImageView.h"

#include <QActionGroup>

#include <QApplication>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <algorithm>

namespace spinelens::ui {
namespace {
constexpr int kMaxRecent = 10;

QString joinFailures(const std::vector<FileFailure>& failures, int limit = 8) {
    QStringList lines;
    for (int i = 0; i < int(failures.size()) && i < limit; ++i)
        lines << QString::fromStdString(failures[std::size_t(i)].path + ": " +
                                        failures[std::size_t(i)].reason);
    if (int(failures.size()) > limit)
        lines << QObject::tr("… and %1 more (see the series browser)")
                     .arg(int(failures.size()) - limit);
    return lines.join('\n');
}
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), session_(new ViewerSession(this)), view_(new ImageView),
      sliceBar_(new QScrollBar(Qt::Vertical)), browser_(new SeriesBrowser), tags_(new TagBrowser),
      progress_(new QProgressBar), statusText_(new QLabel) {
    setWindowTitle("SpineLens");
    setAcceptDrops(true);
    resize(1400, 900);

    auto* central = new QWidget;
    auto* layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    strip_ = new SliceStrip;
    layout->addWidget(view_, 1);
    layout->addWidget(strip_);
    layout->addWidget(sliceBar_);
    sliceBar_->setEnabled(false);
    setCentralWidget(central);

    auto* seriesDock = new QDockWidget(tr("Studies and series"), this);
    seriesDock->setObjectName("seriesDock");
    seriesDock->setWidget(browser_);
    addDockWidget(Qt::LeftDockWidgetArea, seriesDock);
    auto* tagDock = new QDockWidget(tr("DICOM tags"), this);
    tagDock->setObjectName("tagDock");
    tagDock->setWidget(tags_);
    addDockWidget(Qt::RightDockWidgetArea, tagDock);
    resizeDocks({seriesDock, tagDock}, {280, 380}, Qt::Horizontal);

    progress_->setMaximumWidth(260);
    progress_->setVisible(false);
    statusBar()->addWidget(statusText_, 1);
    statusBar()->addPermanentWidget(progress_);

    setupPacs();
    buildMenus();
    setupAi(menuBar()->addMenu(tr("&Model")));

    connectSession();
}

void MainWindow::connectSession() {
    connect(browser_, &SeriesBrowser::seriesActivated, this, &MainWindow::openSeries);
    connect(sliceBar_, &QScrollBar::valueChanged, view_, &ImageView::setSliceIndex);
    connect(view_, &ImageView::sliceChanged, this, [this](int slice, int count) {
        sliceBar_->blockSignals(true);
        sliceBar_->setRange(0, std::max(0, count - 1));
        sliceBar_->setValue(slice);
        sliceBar_->blockSignals(false);
        const SeriesInfo* s = session_->series();
        if (s && s->kind == SourceKind::Dicom && slice < int(s->slices.size()))
            tags_->showFile(QString::fromStdString(s->slices[std::size_t(slice)].path));
        else if (s)
            tags_->showFile({});
        strip_->setCurrentSlice(slice);
        session_->setSlice(slice);
    });
    connect(view_, &ImageView::windowChanged, this, [this](double center, double width) {
        session_->setWindow({center, width});
    });
    connect(view_, &ImageView::measurementAdded, this, [this](int slice, const Measurement& m) {
        session_->addMeasurement(slice, m);
        statusText_->setText(tr("Measured %1").arg(QString::fromStdString(m.label())));
    });

    connect(session_, &ViewerSession::scanFinished, this, &MainWindow::onScanFinished);
    connect(session_, &ViewerSession::studyUpdated, this,
            [this](std::shared_ptr<const ScanResult> scan) {
                browser_->setScan(scan);
                showRetrieveNotes(*scan);
                if (session_->seriesIndex() >= 0)
                    browser_->setCurrentSeries(session_->seriesIndex());
            });
    connect(session_, &ViewerSession::seriesStarted, this, &MainWindow::onSeriesStarted);
    connect(session_, &ViewerSession::sliceLoaded, this, [this](int slice, int loaded, int total) {
        view_->markSliceLoaded(slice);
        // Every repaint recomposites the window with the GL view: a few per second is
        // plenty for a progress bar, and keeps the event loop free on software OpenGL.
        if (loaded == total || !progressClock_.isValid() || progressClock_.elapsed() > 150) {
            progress_->setValue(loaded);
            progressClock_.restart();
        }
    });
    connect(session_, &ViewerSession::seriesLoaded, this, &MainWindow::onSeriesLoaded);
    connect(session_, &ViewerSession::loadFailed, this, [this](const QString& message) {
        progress_->setVisible(false);
        view_->clear();
        sliceBar_->setEnabled(false);
        setWindowTitle("SpineLens");
        showProblem(tr("Cannot open series"), message);
    });
    connect(session_, &ViewerSession::problem, this, &MainWindow::showProblem);
}

MainWindow::~MainWindow() = default;

StudyLoader* MainWindow::loader() const {
    return session_->loader();
}
AiController* MainWindow::ai() const {
    return session_->ai();
}
std::shared_ptr<const ScanResult> MainWindow::scanResult() const {
    return session_->scanResult();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Files…"), QKeySequence::Open, this, [this] {
        const QStringList paths = QFileDialog::getOpenFileNames(
            this, tr("Open DICOM or X-ray files"), {},
            tr("Images (*.dcm *.DCM *.png *.jpg *.jpeg DICOMDIR *);;All files (*)"));
        if (!paths.isEmpty())
            openPaths(paths);
    });
    file->addAction(tr("Open &Folder…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Open a folder of DICOM files"));
        if (!dir.isEmpty())
            openPaths({dir});
    });
    file->addAction(tr("&Query/Retrieve…"), QKeySequence(tr("Ctrl+Shift+Q")), this, [this] {
        QueryRetrieveDialog* d = queryRetrieve();
        d->show();
        d->raise();
    });
    addPacsActions(file);
    addWorklistActions(file);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Export Screenshot…"), QKeySequence(tr("Ctrl+E")), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export screenshot"), "spinelens.png", tr("PNG images (*.png)"));
        if (!path.isEmpty() && !exportScreenshot(path))
            showProblem(tr("Export failed"), tr("%1: cannot write the PNG file").arg(path));
    });
    addExportActions(file);
    file->addAction(tr("Open Evaluation &Run…"), QKeySequence(tr("Ctrl+Shift+R")), this, [this] {
        const QString path = chooseRunFile(this);
        if (!path.isEmpty())
            openRun(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Fit to Window	F"), view_, &ImageView::fitToWindow);
    view->addAction(tr("Reset View	R"), view_, &ImageView::resetView);
    view->addAction(tr("Zoom In	+"), this, [this] { view_->setZoom(view_->zoom() * 1.25); });
    view->addAction(tr("Zoom Out	-"), this,
                    [this] { view_->setZoom(view_->zoom() / 1.25); });
    QMenu* presets = view->addMenu(tr("Window/Level"));
    presets->addAction(tr("From File	0"), view_, &ImageView::resetWindow);
    int key = 1;
    for (const auto& p : windowPresets()) {
        presets->addAction(QString("%1	%2").arg(QString::fromStdString(p.name)).arg(key++), this,
                           [this, p] { view_->applyPreset(p); });
    }

    QMenu* tools = menuBar()->addMenu(tr("&Tools"));
    auto* group = new QActionGroup(this);
    auto addTool = [&](const QString& text, ImageView::Tool tool) {
        QAction* a = tools->addAction(text, this, [this, tool] { view_->setTool(tool); });
        a->setCheckable(true);
        a->setChecked(tool == ImageView::Tool::Navigate);
        group->addAction(a);
    };
    addTool(tr("Navigate (pan, zoom)	N"), ImageView::Tool::Navigate);
    addTool(tr("Distance	D"), ImageView::Tool::Distance);
    addTool(tr("Angle	A"), ImageView::Tool::Angle);
    tools->addSeparator();
    tools->addAction(tr("Clear Measurements"), this, [this] {
        view_->clearMeasurements();
        session_->clearMeasurements();
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Mouse and Keyboard"), this, [this] {
        QMessageBox::information(
            this, tr("Mouse and keyboard"),
            tr("Right-drag: window (left/right) and level (up/down); right double-click: file "
               "window\n"
               "Left-drag or middle-drag: pan; Ctrl+left-drag or Ctrl+wheel: zoom\n"
               "Wheel, arrow keys: previous/next image; Page Up/Down: jump 10%; Home/End: "
               "first/last\n"
               "F: fit; R: reset; +/-: zoom; 0: file window; 1-4: CT bone, soft tissue, lung, "
               "spine MR auto\n"
               "D: distance; A: angle (3 clicks, vertex second); N or Esc: navigate"));
    });
    help->addAction(tr("About SpineLens"), this, [this] {
        QMessageBox::about(this, tr("About SpineLens"),
                           tr("SpineLens %1: a spine image viewer for research.\n"
                              "Not a medical device; not for diagnostic use.\n"
                              "Sample images are synthetic phantoms, not patient data.")
                               .arg(SPINELENS_VERSION));
    });
}

void MainWindow::openPaths(const QStringList& input) {
    // Run files (dropped, or given on the command line) open the run browser; the rest are
    // images for the viewer.
    QStringList paths;
    for (const QString& p : input) {
        if (looksLikeRunFile(p))
            openRun(p);
        else
            paths << p;
    }
    if (paths.isEmpty())
        return;
    for (const QString& p : paths)
        markCachedStudyOpened(p); // a cached study in use is not the next to be removed
    lastProblem_.clear();
    rememberRecent(paths);
    statusText_->setText(tr("Scanning %1…").arg(paths.join(", ")));
    progress_->setRange(0, 0); // busy indicator while scanning
    progress_->setVisible(true);
    session_->scan(paths);
}

void MainWindow::onScanFinished(std::shared_ptr<const ScanResult> scan) {
    browser_->setScan(scan);
    showRetrieveNotes(*scan);
    progress_->setVisible(false);
    if (scan->series.empty()) {
        view_->clear();
        showProblem(tr("Nothing to show"),
                    scan->failures.empty()
                        ? tr("No DICOM series or X-ray images were found.")
                        : tr("No image could be read:\n%1").arg(joinFailures(scan->failures)));
        return;
    }
    if (!scan->failures.empty()) {
        showProblem(
            tr("Some files could not be read"),
            tr("%n file(s) skipped; everything else opened:\n", "", int(scan->failures.size())) +
                joinFailures(scan->failures));
    }
    int first = 0;
    if (!pendingSeriesUid_.empty()) {
        for (std::size_t i = 0; i < scan->series.size(); ++i)
            if (scan->series[i].seriesInstanceUid == pendingSeriesUid_)
                first = int(i);
        pendingSeriesUid_.clear();
    } else {
        pendingSlice_ = -1; // a plain open starts where the series starts
    }
    openSeries(first);
}

QueryRetrieveDialog* MainWindow::queryRetrieve() {
    if (!queryRetrieve_) {
        queryRetrieve_ = new QueryRetrieveDialog(this);
        connect(queryRetrieve_, &QueryRetrieveDialog::seriesArrived, this,
                &MainWindow::onSeriesArrived);
        connect(queryRetrieve_, &QueryRetrieveDialog::firstImageArrived, this,
                &MainWindow::onFirstImageArrived);
        connect(queryRetrieve_, &QueryRetrieveDialog::retrieveFinished, this,
                [this](bool complete, const QString& summary) {
                    statusText_->setText(summary.section('\n', 0, 0));
                    if (const auto scan = session_->scanResult())
                        showRetrieveNotes(*scan); // the note is written when the retrieve ends
                    if (!complete)
                        showProblem(tr("Retrieve"), summary);
                });
    }
    return queryRetrieve_;
}

namespace {

// Where a file is in a series, or -1.
int sliceOf(const SeriesInfo& series, const std::string& path) {
    for (std::size_t i = 0; i < series.slices.size(); ++i)
        if (series.slices[i].path == path)
            return int(i);
    return -1;
}

} // namespace

// The study's first series opens as soon as it is complete; later ones join the series
// browser as they arrive, without interrupting the one being read.
void MainWindow::onSeriesArrived(const QString& studyFolder, std::shared_ptr<const ScanResult> scan,
                                 bool first) {
    if (!scan || scan->series.empty())
        return;
    if (first) {
        // The worker's scan is shown at once (no second scan that could end after, and
        // overwrite, a later arrival's). After a preview, the image it showed stays in view.
        rememberRecent({studyFolder});
        if (session_->previewing() && session_->series() && !session_->series()->slices.empty())
            pendingSlice_ = sliceOf(scan->series.front(), session_->series()->slices.front().path);
        session_->adoptScan(scan);
        openSeries(0);
        return;
    }
    // Only while the view still shows this study: a user who opened something else keeps it.
    const auto shown = session_->scanResult();
    const std::string study = scan->series.front().studyInstanceUid;
    const bool same =
        shown && std::any_of(shown->series.begin(), shown->series.end(),
                             [&](const SeriesInfo& s) { return s.studyInstanceUid == study; });
    if (same)
        session_->adoptScan(std::move(scan));
}

// The first image of a retrieve, shown before its series is complete (nothing else is open
// from this retrieve yet: the series' own arrival replaces it).
void MainWindow::onFirstImageArrived(std::shared_ptr<const ScanResult> oneImage) {
    session_->openPreview(std::move(oneImage));
    statusText_->setText(tr("Receiving the series… showing its first image to arrive"));
}

void MainWindow::openSeries(int index) {
    if (session_->openSeries(index))
        browser_->setCurrentSeries(index);
}

void MainWindow::onSeriesStarted(std::shared_ptr<const Volume> volume, const SeriesInfo& series,
                                 int initialSlice) {
    // A worklist entry opens at its most suspicious image.
    const int start =
        pendingSlice_ >= 0 && pendingSlice_ < volume->depth ? pendingSlice_ : initialSlice;
    pendingSlice_ = -1;
    view_->setSeries(volume, series, start);
    session_->setWindow(view_->windowLevel());
    sliceBar_->setEnabled(volume->depth > 1);
    progress_->setRange(0, volume->depth);
    progress_->setValue(0);
    progress_->setVisible(true);
    const QString name = QString::fromStdString(series.displayName());
    setWindowTitle(QString("SpineLens — %1").arg(name));
    statusText_->setText(tr("Loading %1…").arg(name));
}

void MainWindow::onSeriesLoaded(const LoadReport& report) {
    progress_->setVisible(false);
    if (const SeriesInfo* s = session_->series())
        statusText_->setText(tr("%1: %2 image(s), decoded with %3")
                                 .arg(QString::fromStdString(s->displayName()))
                                 .arg(s->slices.size())
                                 .arg(QString::fromStdString(report.decoder)));
    if (!report.failures.empty())
        showProblem(tr("Some images could not be decoded"),
                    tr("These images are shown blank:\n%1").arg(joinFailures(report.failures)));
    Q_EMIT seriesReady();
}

void MainWindow::showProblem(const QString& title, const QString& message) {
    lastProblem_ = message;
    statusText_->setText(message.section('\n', 0, 0));
    Q_EMIT problem(message);
    showNonModalWarning(this, title, message);
}

QImage MainWindow::grabWindowImage() {
    return grabWindowWithView(this, view_);
}

bool MainWindow::exportScreenshot(const QString& path, bool withPatientIdentity) {
    const QImage image = view_->screenshot(withPatientIdentity);
    return !image.isNull() && image.save(path, "PNG");
}

void MainWindow::rememberRecent(const QStringList& paths) {
    QSettings settings;
    QStringList recent = settings.value("recent").toStringList();
    for (const auto& p : paths) {
        recent.removeAll(p);
        recent.prepend(p);
    }
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recent", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    if (!recentMenu_)
        return;
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recent").toStringList();
    for (const auto& p : recent)
        recentMenu_->addAction(p, this, [this, p] { openPaths({p}); });
    recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls())
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    QStringList paths;
    for (const QUrl& url : e->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    openPaths(paths);
    e->acceptProposedAction();
}

RunBrowser* MainWindow::openRun(const QString& path) {
    auto* browser = new RunBrowser(this); // its own top-level window, closed with the viewer
    browser->setAttribute(Qt::WA_DeleteOnClose);
    browser->show();
    browser->openRun(path);
    return browser;
}

} // namespace spinelens::ui
