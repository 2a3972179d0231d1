#include "runs/RunBrowser.h"

#include "WindowUtil.h"
#include "eval/RunExport.h"
#include "runs/CaseListModel.h"
#include "runs/CaseView.h"
#include "runs/ConfusionMatrixWidget.h"
#include "runs/GalleryView.h"
#include "runs/MetricsPanel.h"
#include "runs/RunPlots.h"
#include "runs/RunSession.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace spinelens::ui {

RunBrowser::RunBrowser(QWidget* parent)
    : QMainWindow(parent), session_(new RunSession(this)),
      model_(new CaseListModel(session_, this)) {
    setWindowTitle(tr("SpineLens — Evaluation run browser"));
    setAcceptDrops(true);
    resize(1500, 950);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    banner_ = new QLabel(central);
    banner_->setWordWrap(true);
    banner_->setStyleSheet("background: #fff4e5; color: #663c00; padding: 4px");
    banner_->hide();
    layout->addWidget(banner_);

    auto* splitter = new QSplitter(Qt::Horizontal, central);
    auto* left = new QTabWidget(splitter);
    auto* matrixPage = new QWidget(left);
    auto* matrixLayout = new QVBoxLayout(matrixPage);
    confusion_ = new ConfusionMatrixWidget(matrixPage);
    matrixLayout->addWidget(confusion_, 1);
    auto* hint = new QLabel(tr("Click a cell to see exactly its cases; the diagonal holds the "
                               "right answers."),
                            matrixPage);
    hint->setWordWrap(true);
    matrixLayout->addWidget(hint);
    left->addTab(matrixPage, tr("Confusion matrix"));
    metrics_ = new MetricsPanel(left);
    left->addTab(metrics_, tr("Metrics"));
    plots_ = new RunPlots(left);
    left->addTab(plots_, tr("Plots"));

    auto* middle = new QWidget(splitter);
    auto* middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    auto* filterRow = new QHBoxLayout();
    trueFilter_ = new QComboBox(middle);
    predictedFilter_ = new QComboBox(middle);
    tagFilter_ = new QComboBox(middle);
    domainFilter_ = new QComboBox(middle);
    domainFilter_->addItems({tr("any"), tr("in domain"), tr("out of domain")});
    domainFilter_->setToolTip(tr("The model's domain check: cases it could assess, or cases "
                                 "outside its training data"));
    wrongOnly_ = new QCheckBox(tr("Wrong only"), middle);
    filterRow->addWidget(new QLabel(tr("True"), middle));
    filterRow->addWidget(trueFilter_);
    filterRow->addWidget(new QLabel(tr("Predicted"), middle));
    filterRow->addWidget(predictedFilter_);
    filterRow->addWidget(new QLabel(tr("Tag"), middle));
    filterRow->addWidget(tagFilter_);
    filterRow->addWidget(new QLabel(tr("Domain"), middle));
    filterRow->addWidget(domainFilter_);
    filterRow->addWidget(wrongOnly_);
    filterRow->addStretch();
    middleLayout->addLayout(filterRow);
    auto* sortRow = new QHBoxLayout();
    sort_ = new QComboBox(middle);
    sort_->addItem(tr("Most confidently wrong"), int(CaseSort::MostConfidentlyWrong));
    sort_->addItem(tr("Confidence, high first"), int(CaseSort::ConfidenceHigh));
    sort_->addItem(tr("Confidence, low first"), int(CaseSort::ConfidenceLow));
    sort_->addItem(tr("Loss, high first"), int(CaseSort::LossHigh));
    sort_->addItem(tr("File name"), int(CaseSort::File));
    thumbnailMap_ = new QComboBox(middle);
    thumbnailMap_->addItem(tr("Grad-CAM of predicted class"), int(ThumbnailMap::Predicted));
    thumbnailMap_->addItem(tr("Grad-CAM of true class"), int(ThumbnailMap::True));
    thumbnailMap_->addItem(tr("Image only"), int(ThumbnailMap::None));
    sortRow->addWidget(new QLabel(tr("Sort"), middle));
    sortRow->addWidget(sort_);
    sortRow->addWidget(new QLabel(tr("Thumbnails"), middle));
    sortRow->addWidget(thumbnailMap_);
    sortRow->addStretch();
    middleLayout->addLayout(sortRow);
    gallery_ = new GalleryView(middle);
    gallery_->setModel(model_);
    middleLayout->addWidget(gallery_, 1);
    countText_ = new QLabel(middle);
    middleLayout->addWidget(countText_);

    caseView_ = new CaseView(session_, splitter);
    splitter->addWidget(left);
    splitter->addWidget(middle);
    splitter->addWidget(caseView_);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 3);
    splitter->setSizes({490, 480, 530});
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    buildMenus();

    connect(session_, &RunSession::opened, this, &RunBrowser::onOpened);
    connect(session_, &RunSession::failed, this,
            [this](const QString& m) { showProblem(tr("Cannot open the run"), m); });
    connect(session_, &RunSession::problem, this,
            [this](const QString& m) { showProblem(tr("Review not saved"), m); });
    connect(session_, &RunSession::reviewChanged, this, [this] { refreshTagFilter(); });
    connect(confusion_, &ConfusionMatrixWidget::cellClicked, this, &RunBrowser::showCell);
    for (QComboBox* box : {trueFilter_, predictedFilter_, tagFilter_, domainFilter_})
        connect(box, &QComboBox::currentIndexChanged, this, [this] { applyFilter(); });
    connect(wrongOnly_, &QCheckBox::toggled, this, [this] { applyFilter(); });
    connect(sort_, &QComboBox::currentIndexChanged, this, [this] {
        model_->setSort(CaseSort(sort_->currentData().toInt()));
        if (model_->rowCount() > 0)
            gallery_->setCurrentIndex(model_->index(0));
    });
    connect(thumbnailMap_, &QComboBox::currentIndexChanged, this, [this] {
        model_->setThumbnailMap(ThumbnailMap(thumbnailMap_->currentData().toInt()));
    });
    // The selection model stays for the view's life (the model is set once).
    connect(
        gallery_->selectionModel(), &QItemSelectionModel::currentChanged, this,
        [this](const QModelIndex& current) { caseView_->showCase(model_->caseAt(current.row())); });
    connect(model_, &QAbstractItemModel::modelReset, this, [this] { updateCountText(); });
    // N / P step through the gallery as it is sorted, from anywhere but a text field.
    for (auto [key, forward] :
         {std::pair{Qt::Key_N, true}, std::pair{Qt::Key_P, false},
          std::pair{Qt::Key_BracketRight, true}, std::pair{Qt::Key_BracketLeft, false}}) {
        auto* shortcut = new QShortcut(QKeySequence(key), this);
        connect(shortcut, &QShortcut::activated, this,
                [this, forward = forward] { forward ? nextCase() : previousCase(); });
    }
    statusBar()->showMessage(tr("Open an evaluation run (File > Open Run…, or drop a .sqlite "
                                "file here)."));
}

RunBrowser::~RunBrowser() = default;

void RunBrowser::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Run…"), QKeySequence::Open, this, [this] {
        const QString path = chooseRunFile(this);
        if (!path.isEmpty())
            openRun(path);
    });
    file->addSeparator();
    file->addAction(tr("Export Cases as &CSV…"), this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export cases"), {}, tr("CSV (*.csv)"));
        if (!path.isEmpty())
            exportCsv(path);
    });
    file->addAction(tr("Export &HTML Report…"), this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export report"), {}, tr("HTML (*.html)"));
        if (!path.isEmpty())
            exportHtml(path);
    });
    file->addSeparator();
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    go->addAction(tr("Next Case	N"), this, &RunBrowser::nextCase);
    go->addAction(tr("Previous Case	P"), this, &RunBrowser::previousCase);
    go->addAction(tr("All Cases"), this, [this] { showCell(-1, -1); });
    go->addAction(tr("Misclassified Cases"), this, [this] {
        showCell(-1, -1);
        wrongOnly_->setChecked(true);
    });
}

void RunBrowser::openRun(const QString& path) {
    statusBar()->showMessage(tr("Reading %1…").arg(path));
    session_->open(path);
}

void RunBrowser::onOpened() {
    const RunSnapshot& run = session_->run();
    setWindowTitle(
        tr("SpineLens — %1 (%2)")
            .arg(QFileInfo(run.path).fileName(), QString::fromStdString(run.info.modelName)));
    QStringList notes;
    if (run.info.syntheticModel || run.info.syntheticData)
        notes << tr("<b>Synthetic</b>: this run's model and/or data are synthetic phantoms. Not "
                    "clinically validated; not for diagnosis.");
    if (!run.info.splitNote.empty())
        notes << tr("<b>Training data in the run</b>: %1.")
                     .arg(QString::fromStdString(run.info.splitNote).toHtmlEscaped());
    const eval::DomainCoverage& d = run.metrics.domain;
    if (!run.info.domainChecked)
        notes << tr("<b>No domain check</b>: this model cannot tell when an image is unlike its "
                    "training data, so every case counts as assessable.");
    else if (d.inDomain < d.cases)
        notes << tr("<b>%1 of %2 cases are outside the model's training data</b> (domain score "
                    "above %3): they have no finding; the Domain filter lists them.")
                     .arg(d.cases - d.inDomain)
                     .arg(d.cases)
                     .arg(d.threshold, 0, 'f', 1);
    for (const QString& w : run.warnings)
        notes << w.toHtmlEscaped();
    banner_->setText(notes.join("<br>"));
    banner_->setVisible(!notes.isEmpty());

    QStringList classes;
    for (const auto& c : run.info.classes)
        classes << QString::fromStdString(c);
    confusion_->setMatrix(classes, run.metrics.confusion, run.metrics.confusionRowPercent);
    metrics_->showRun(run);
    plots_->showMetrics(run.metrics);

    updatingFilters_ = true;
    trueFilter_->clear();
    predictedFilter_->clear();
    trueFilter_->addItem(tr("any"));
    predictedFilter_->addItem(tr("any"));
    trueFilter_->addItems(classes);
    predictedFilter_->addItems(classes);
    wrongOnly_->setChecked(false);
    domainFilter_->setCurrentIndex(0);
    domainFilter_->setEnabled(run.info.domainChecked);
    updatingFilters_ = false;
    refreshTagFilter();
    model_->reload();
    if (model_->rowCount() > 0)
        gallery_->setCurrentIndex(model_->index(0));
    updateCountText();
    statusBar()->showMessage(tr("%1: %2 cases").arg(run.path).arg(run.cases.size()));
    Q_EMIT runOpened();
}

void RunBrowser::refreshTagFilter() {
    const QString current = tagFilter_->currentIndex() > 0 ? tagFilter_->currentText() : QString();
    const bool was = updatingFilters_;
    updatingFilters_ = true;
    tagFilter_->clear();
    tagFilter_->addItem(tr("any"));
    tagFilter_->addItems(session_->allTags());
    const int at = current.isEmpty() ? 0 : tagFilter_->findText(current);
    tagFilter_->setCurrentIndex(std::max(0, at));
    updatingFilters_ = was;
}

void RunBrowser::showCell(int trueClass, int predicted) {
    updatingFilters_ = true;
    trueFilter_->setCurrentIndex(trueClass + 1);
    predictedFilter_->setCurrentIndex(predicted + 1);
    tagFilter_->setCurrentIndex(0);
    wrongOnly_->setChecked(false);
    updatingFilters_ = false;
    applyFilter();
}

void RunBrowser::applyFilter() {
    if (updatingFilters_ || !session_->isOpen())
        return;
    CaseFilter f;
    f.trueClass = trueFilter_->currentIndex() - 1;
    f.predicted = predictedFilter_->currentIndex() - 1;
    f.tag = tagFilter_->currentIndex() > 0 ? tagFilter_->currentText() : QString();
    f.wrongOnly = wrongOnly_->isChecked();
    f.domain = CaseFilter::Domain(std::max(0, domainFilter_->currentIndex()));
    model_->setFilter(f);
    confusion_->setSelectedCell(f.trueClass >= 0 && f.predicted >= 0 ? f.trueClass : -1,
                                f.trueClass >= 0 && f.predicted >= 0 ? f.predicted : -1);
    if (model_->rowCount() > 0)
        gallery_->setCurrentIndex(model_->index(0));
    else
        caseView_->showCase(-1);
}

void RunBrowser::updateCountText() {
    if (!session_->isOpen()) {
        countText_->clear();
        return;
    }
    const auto shown = model_->shownCases();
    int wrong = 0;
    for (int i : shown)
        wrong += !session_->run().cases[std::size_t(i)].correct;
    countText_->setText(tr("%1 of %2 cases shown, %3 of them wrong")
                            .arg(shown.size())
                            .arg(session_->run().cases.size())
                            .arg(wrong));
}

void RunBrowser::selectCase(int caseIndex) {
    const int row = model_->rowOf(caseIndex);
    if (row >= 0)
        gallery_->setCurrentIndex(model_->index(row));
}

void RunBrowser::nextCase() {
    const int row = gallery_->currentIndex().row();
    if (row + 1 < model_->rowCount())
        gallery_->setCurrentIndex(model_->index(row + 1));
}

void RunBrowser::previousCase() {
    const int row = gallery_->currentIndex().row();
    if (row > 0)
        gallery_->setCurrentIndex(model_->index(row - 1));
}

bool RunBrowser::exportCsv(const QString& path) {
    if (!session_->isOpen())
        return false;
    try {
        auto run = eval::RunFile::open(session_->run().path.toStdString(), false);
        eval::exportCasesCsv(*run, path.toStdString());
    } catch (const std::exception& e) {
        showProblem(tr("Export failed"), QString::fromUtf8(e.what()));
        return false;
    }
    statusBar()->showMessage(tr("Cases written to %1").arg(path));
    return true;
}

void RunBrowser::exportHtml(const QString& path) {
    if (!session_->isOpen())
        return;
    statusBar()->showMessage(tr("Writing the report to %1…").arg(path));
    const std::string runPath = session_->run().path.toStdString();
    // Every report asked for is written and answered (add, not run: none replaces another).
    exports_.add(
        [runPath, path]() -> QString {
            try {
                auto run = eval::RunFile::open(runPath, false);
                eval::exportHtmlReport(*run, path.toStdString());
                return {};
            } catch (const std::exception& e) {
                return QString::fromUtf8(e.what());
            }
        },
        [this, path](const QString& error) {
            if (error.isEmpty())
                statusBar()->showMessage(tr("Report written to %1").arg(path));
            else
                showProblem(tr("Export failed"), error);
            Q_EMIT exportFinished(path, error);
        });
}

void RunBrowser::showProblem(const QString& title, const QString& message) {
    lastProblem_ = message;
    statusBar()->showMessage(message.section('\n', 0, 0));
    Q_EMIT problem(message);
    // The browser keeps working (and showing the run it had) behind the message.
    showNonModalWarning(this, title, message);
}

QImage RunBrowser::grabWindowImage() {
    return grabWindowWithView(this, caseView_->imageView());
}

void RunBrowser::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls())
        e->acceptProposedAction();
}

void RunBrowser::dropEvent(QDropEvent* e) {
    for (const QUrl& url : e->mimeData()->urls())
        if (url.isLocalFile()) {
            openRun(url.toLocalFile());
            break;
        }
    e->acceptProposedAction();
}

} // namespace spinelens::ui
