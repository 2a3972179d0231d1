#include "ViewerSession.h"

#include "StudyLoader.h"
#include "ai/DefaultModels.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

namespace spinelens::ui {

ViewerSession::ViewerSession(QObject* parent)
    : QObject(parent), loader_(new StudyLoader(this)), ai_(new AiController(this)) {
    connect(loader_, &StudyLoader::scanFinished, this,
            [this](std::shared_ptr<const ScanResult> scan) {
                setScan(std::move(scan));
                // Nothing of the previous study stays in view; the window opens series 0 next.
                closeSeries();
                Q_EMIT aiChanged(); // the stored results of the new scan
                Q_EMIT scanFinished(scan_);
            });
    connect(loader_, &StudyLoader::seriesStarted, this,
            [this](std::shared_ptr<const Volume> volume, const SeriesInfo& series) {
                volume_ = volume;
                loaded_.assign(std::size_t(volume->depth), 0);
                seriesComplete_ = false;
                slice_ = StudyLoader::initialSlice(series);
                measurements_.clear();
                // The previous series' answers, and those still being computed, are not this
                // image's: the panel and the heatmap wait for the new ones.
                ai_->dropPendingResults();
                aiBusy_ = false;
                revealOutOfDomain_ = false;
                forgetAiAnswer();
                Q_EMIT aiChanged();
                Q_EMIT seriesStarted(volume, series, slice_);
            });
    connect(loader_, &StudyLoader::sliceLoaded, this, [this](int slice, int loaded, int total) {
        if (slice >= 0 && slice < int(loaded_.size()))
            loaded_[std::size_t(slice)] = 1;
        Q_EMIT sliceLoaded(slice, loaded, total);
        if (slice == slice_)
            requestAi();
    });
    connect(loader_, &StudyLoader::seriesLoaded, this, [this](const LoadReport& report) {
        seriesComplete_ = true;
        requestSeriesAi();
        Q_EMIT seriesLoaded(report);
    });
    connect(loader_, &StudyLoader::failed, this, [this](const QString& message) {
        // The series asked for is not shown, and the previous one is no longer: nothing is.
        closeSeries();
        Q_EMIT loadFailed(message);
    });

    connect(ai_, &AiController::modelChanged, this, &ViewerSession::onModelChanged);
    connect(ai_, &AiController::sliceResult, this, &ViewerSession::onSliceResult);
    connect(ai_, &AiController::seriesResult, this, [this](const ai::SeriesPrediction& s) {
        if (!ai_->model() || !modalityProblem().isEmpty())
            return;
        std::vector<float> scores = flaggedScores(ai_->model()->card(), s);
        if (volume_ && scores.size() == std::size_t(volume_->depth))
            Q_EMIT flaggedChanged(scores);
    });
    connect(ai_, &AiController::failed, this, [this](const QString& message) {
        aiBusy_ = false;
        aiMessage_ = message;
        Q_EMIT aiChanged();
    });
    applyModelChoice(); // a pinned package loads now; the default ones with their image
}

ViewerSession::~ViewerSession() = default;

void ViewerSession::scan(const QStringList& paths) {
    preview_ = false;
    loader_->scan(paths);
}

void ViewerSession::closeSeries() {
    seriesIndex_ = -1;
    volume_.reset();
    loaded_.clear();
    seriesComplete_ = false;
    measurements_.clear();
    ai_->dropPendingResults();
    aiBusy_ = false;
    if (lastResult_)
        forgetAiAnswer();
}

bool ViewerSession::openSeries(int index) {
    return openSeries(index, false);
}

bool ViewerSession::openSeries(int index, bool preview) {
    if (!scan_ || index < 0 || index >= int(scan_->series.size()))
        return false;
    if (preview_)
        aiMessage_.clear(); // the preview's "AI waits" note
    // Set before the load starts: seriesStarted, sent from within it, must already tell a
    // preview from a series.
    preview_ = preview;
    seriesIndex_ = index;
    applyModelChoice();
    loader_->load(scan_->series[std::size_t(index)]);
    return true;
}

void ViewerSession::openPreview(std::shared_ptr<const ScanResult> scan) {
    if (!scan || scan->series.empty())
        return;
    setScan(std::move(scan));
    openSeries(0, true);
    aiBusy_ = false;
    aiMessage_ = tr("Receiving the series: the AI runs once all of it is here.");
    forgetAiAnswer();
    Q_EMIT aiChanged();
}

void ViewerSession::adoptScan(std::shared_ptr<const ScanResult> scan) {
    if (!scan)
        return;
    const SeriesInfo* open = series();
    const std::string uid = open ? open->seriesInstanceUid : std::string();
    setScan(std::move(scan));
    if (!uid.empty()) {
        seriesIndex_ = -1;
        for (std::size_t i = 0; i < scan_->series.size(); ++i)
            if (scan_->series[i].seriesInstanceUid == uid)
                seriesIndex_ = int(i);
    }
    Q_EMIT aiChanged(); // stored results may have come with the newer scan
    Q_EMIT studyUpdated(scan_);
}

void ViewerSession::setScan(std::shared_ptr<const ScanResult> scan) {
    scan_ = std::move(scan);
    // Only the study's SR objects are opened (a few small files for a study), each once while
    // the session lives: read here, on the GUI thread, so the panel has them with the scan.
    stored_ = scan_ ? report::storedAiResults(*scan_, storedCache_)
                    : std::vector<report::StoredAiResult>();
}

const SeriesInfo* ViewerSession::series() const {
    if (!scan_ || seriesIndex_ < 0 || seriesIndex_ >= int(scan_->series.size()))
        return nullptr;
    return &scan_->series[std::size_t(seriesIndex_)];
}

bool ViewerSession::isSliceLoaded(int slice) const {
    return slice >= 0 && slice < int(loaded_.size()) && loaded_[std::size_t(slice)];
}

void ViewerSession::setSlice(int slice) {
    slice_ = slice;
    revealOutOfDomain_ = false; // revealing is for one image, on purpose each time
    requestAi();
}

DisplayDefaults ViewerSession::currentDisplay() const {
    const SeriesInfo* s = series();
    return s ? s->sliceDisplay(slice_) : DisplayDefaults{};
}

void ViewerSession::pinModel(const QString& folder) {
    // Absolute, so the pin holds when SpineLens is started later from another folder.
    runModel_.clear();
    QSettings settings;
    settings.setValue("model/mode", "pinned");
    settings.setValue("model/last", QFileInfo(folder).absoluteFilePath());
    applyModelChoice();
}

void ViewerSession::useModelForThisRun(const QString& folder) {
    runModel_ = QFileInfo(folder).absoluteFilePath();
    applyModelChoice();
}

void ViewerSession::useDefaultModels() {
    runModel_.clear();
    QSettings().setValue("model/mode", "auto");
    applyModelChoice();
}

void ViewerSession::turnAiOff() {
    runModel_.clear();
    QSettings().setValue("model/mode", "off");
    applyModelChoice();
}

void ViewerSession::applyModelChoice() {
    QSettings settings;
    QString mode = settings.value("model/mode", "auto").toString();
    QString folder, reason;
    if (mode == "pinned" && runModel_.isEmpty() &&
        !QFileInfo(settings.value("model/last").toString()).isDir()) {
        // A pinned package that has gone (moved, deleted, or a relative path from an older
        // version): back to the default models, once, saying so.
        const QString gone = settings.value("model/last").toString();
        settings.setValue("model/mode", "auto");
        mode = "auto";
        QTimer::singleShot(0, this, [this, gone] {
            Q_EMIT problem(tr("Model package missing"),
                           tr("%1: the pinned model package is not there any more; using the "
                              "default models (Model > Open Model Package… pins another).")
                               .arg(gone));
        });
    }
    if (!runModel_.isEmpty()) {
        folder = runModel_;
    } else if (mode == "off") {
        reason = tr("turned off by the user (Model > Use Default Models or Open Model Package… "
                    "to turn it on)");
    } else if (mode == "pinned") {
        folder = settings.value("model/last").toString();
    } else if (const SeriesInfo* s = series()) {
        // Default models: the shipped package for this kind of image.
        const ai::DefaultModel d = ai::defaultModelFor(
            s->modality, s->kind == SourceKind::Raster,
            ai::findModelsDirectory(QCoreApplication::applicationDirPath().toStdString()));
        folder = QString::fromStdString(d.folder);
        reason = QString::fromStdString(d.reason);
    } else {
        reason = tr("open an image: its default model loads with it");
    }
    if (folder.isEmpty()) {
        if (ai_->model() || !ai_->requestedFolder().isEmpty() || ai_->unavailableReason() != reason)
            ai_->unloadModel(reason);
    } else if (folder != ai_->requestedFolder()) {
        ai_->loadModel(folder);
    }
}

void ViewerSession::setAnyModality(bool on) {
    anyModality_ = on;
    aiMessage_.clear();
    requestSeriesAi();
    requestAi();
    Q_EMIT aiChanged();
}

void ViewerSession::setExplainChoice(const ExplainChoice& choice) {
    explain_ = choice;
}

void ViewerSession::setRevealOutOfDomain(bool reveal) {
    revealOutOfDomain_ = reveal;
    Q_EMIT heatmapChanged();
    Q_EMIT aiChanged();
}

QString ViewerSession::modalityProblem() const {
    const SeriesInfo* s = series();
    if (anyModality_ || !ai_->model() || !s)
        return {};
    const ai::ModelCard& card = ai_->model()->card();
    const std::string problem =
        ai::modalityMismatch(card.name, card.modality, s->modality, s->kind == SourceKind::Raster);
    return problem.empty() ? QString()
                           : QString::fromStdString(problem) +
                                 tr(" (Model > Run on Any Modality runs it anyway).");
}

void ViewerSession::requestSeriesAi() {
    if (preview_)
        return;
    if (ai_->model() && volume_ && seriesComplete_ && series() && modalityProblem().isEmpty())
        ai_->requestSeries(volume_, *series());
}

void ViewerSession::forgetAiAnswer() {
    lastResult_.reset();
    Q_EMIT heatmapChanged();
    Q_EMIT flaggedChanged({});
}

void ViewerSession::onModelChanged() {
    revealOutOfDomain_ = false;
    explain_.classIndex = -1; // the new model's classes: explain its predicted one
    aiMessage_.clear();
    forgetAiAnswer();
    Q_EMIT aiChanged();
    requestSeriesAi();
    requestAi();
}

void ViewerSession::requestAi() {
    if (!ai_->model() || !volume_ || preview_)
        return;
    if (const QString problem = modalityProblem(); !problem.isEmpty()) {
        // Not run: no answer, no heatmap, nothing flagged; the panel says why.
        aiBusy_ = false;
        aiMessage_ = problem;
        forgetAiAnswer();
        Q_EMIT aiChanged();
        return;
    }
    if (!isSliceLoaded(slice_))
        return;
    SliceRequest r;
    r.volume = volume_;
    r.display = currentDisplay();
    r.slice = slice_;
    r.explain = true; // always explained, so showing the heatmap again (H) is instant
    r.method = explain_.method;
    r.classIndex = explain_.classIndex;
    // The panel says "Classifying…" only when an answer is slow to come: repainting the panel
    // for every request would cost a frame each time on software OpenGL.
    aiBusy_ = true;
    QTimer::singleShot(300, this, [this] {
        if (aiBusy_)
            Q_EMIT aiChanged();
    });
    ai_->requestSlice(r);
}

void ViewerSession::onSliceResult(const SliceResult& result) {
    aiBusy_ = false;
    if (!modalityProblem().isEmpty())
        return; // asked for before "Run on Any Modality" was turned off: not shown
    if (!lastResult_ || lastResult_->slice != result.slice)
        revealOutOfDomain_ = false;
    lastResult_ = std::make_shared<const SliceResult>(result);
    aiMessage_ = result.explainError;
    Q_EMIT heatmapChanged();
    Q_EMIT aiChanged();
}

ConfidenceState ViewerSession::confidence() const {
    AiViewState v;
    v.model = ai_->model();
    v.offReason = ai_->unavailableReason();
    v.last = lastResult_.get();
    v.revealOutOfDomain = revealOutOfDomain_;
    v.busy = aiBusy_;
    v.message = aiMessage_;
    ConfidenceState state = describeAi(v);
    if (const SeriesInfo* s = series())
        for (const auto& r : report::storedAiResultsOfStudy(stored_, s->studyInstanceUid))
            state.storedResults << describeStoredResult(r);
    return state;
}

std::optional<ShownHeatmap> ViewerSession::heatmapToShow(bool scaleByProbability) const {
    const SliceResult* r = lastResult_.get();
    const bool outside = r && !r->prediction.domain.inDomain;
    if (!r || !r->heatmap || (outside && !revealOutOfDomain_))
        return std::nullopt; // no finding for an image the model cannot assess: no heatmap
    ShownHeatmap h;
    h.slice = r->slice;
    h.values = r->heatmap->values;
    const std::size_t cls = std::size_t(r->heatmap->classIndex);
    if (scaleByProbability && cls < r->prediction.probabilities.size()) {
        const float p = r->prediction.probabilities[cls];
        for (float& v : h.values)
            v *= p;
    }
    if (outside)
        h.note = tr("AI heatmap: OUT OF DOMAIN, raw output, not a finding");
    return h;
}

} // namespace spinelens::ui
