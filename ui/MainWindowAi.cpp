// MainWindow's AI side: model menu, confidence panel, heatmap layer and slice strip, all fed
// by AiController on its worker thread.
#include "MainWindow.h"

#include "ai/AiController.h"
#include "ai/DefaultModels.h"
#include "panels/ConfidencePanel.h"
#include "panels/SliceStrip.h"
#include "view/ImageView.h"

#include <QCoreApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>

namespace spinelens::ui {
namespace {

// How strongly a slice is flagged: the probability of not being normal/healthy when the model
// has such a class, else the top probability; -1 (drawn as "not assessed") for a slice outside
// the model's training data, which is never flagged.
std::vector<float> flaggedScores(const ai::ModelCard& card, const ai::SeriesPrediction& s) {
    int normal = -1;
    for (std::size_t c = 0; c < card.classes.size(); ++c) {
        const QString name = QString::fromStdString(card.classes[c]).toLower();
        if (name == "normal" || name == "healthy")
            normal = int(c);
    }
    std::vector<float> out;
    for (const ai::Prediction& p : s.slices)
        out.push_back(!p.domain.inDomain ? -1.0f
                      : normal >= 0
                          ? 1.0f - p.probabilities[std::size_t(normal)]
                          : *std::max_element(p.probabilities.begin(), p.probabilities.end()));
    return out;
}

QString trainingDataLine(const ai::ModelCard& card) {
    if (card.weights.find("not trained") != std::string::npos)
        return QObject::tr("Training data: none. These weights are untrained.");
    QString line =
        QObject::tr("Training data: %1")
            .arg(QString::fromStdString(card.dataset.empty() ? "not stated" : card.dataset));
    if (card.synthetic)
        line += QObject::tr(" (synthetic training data, not patient images)");
    if (!card.clinicallyValidated)
        line += QObject::tr(". Not clinically validated.");
    return line;
}

QString calibrationLine(const ai::ModelCard& card) {
    if (card.calibration.is_null())
        return QObject::tr("Confidence: not calibrated (no temperature in the package).");
    if (!card.calibrated) // the card's note and the report say why at length
        return QObject::tr("Confidence: not calibrated (no temperature could be fitted on the "
                           "validation split; see the package's report).");
    return QObject::tr("Confidence: calibrated by temperature scaling (T = %1) on the validation "
                       "split.")
        .arg(card.temperature, 0, 'f', 2);
}

QString domainLine(const ai::ModelPackage& package) {
    if (const ai::DomainModel* d = package.domain())
        return QObject::tr("Domain check: on. Images unlike the training data (feature distance "
                           "above %1) get no finding.")
            .arg(d->threshold(), 0, 'f', 1);
    return QObject::tr("Domain check: none. This model cannot tell when an image is unlike its "
                       "training data; treat every output with caution.");
}

} // namespace

void MainWindow::setupAi(QMenu* modelMenu) {
    ai_ = new AiController(this);
    confidence_ = new ConfidencePanel;
    auto* dock = new QDockWidget(tr("AI"), this);
    dock->setObjectName("aiDock");
    // The panel scrolls when the dock is short, so no line of the model card is cut off.
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(confidence_);
    dock->setWidget(scroll);
    addDockWidget(Qt::RightDockWidgetArea, dock);

    modelMenu->addAction(tr("&Open Model Package…"), this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Choose a model package folder"));
        if (!dir.isEmpty())
            openModel(dir);
    });
    modelMenu->addAction(tr("Use &Default Models"), this, [this] {
        runModel_.clear();
        QSettings().setValue("model/mode", "auto");
        applyModelChoice();
    });
    QAction* anyModality = modelMenu->addAction(tr("Run on Any &Modality"));
    anyModality->setCheckable(true);
    anyModality->setToolTip(tr("Run the model on images of another modality than its card "
                               "names (for this session only)"));
    connect(anyModality, &QAction::toggled, this, [this](bool on) {
        anyModality_ = on;
        aiMessage_.clear();
        if (ai_->model() && volume_ && seriesComplete_ && modalityProblem().isEmpty())
            ai_->requestSeries(volume_, currentSeriesInfo());
        requestAi();
        refreshConfidence();
    });
    modelMenu->addAction(tr("Turn AI &Off"), this, [this] {
        runModel_.clear();
        QSettings().setValue("model/mode", "off");
        applyModelChoice();
    });

    connect(ai_, &AiController::modelChanged, this, [this] {
        lastResult_.reset();
        revealOutOfDomain_ = false;
        aiMessage_.clear();
        view_->clearHeatmap();
        strip_->setValues({});
        refreshConfidence();
        if (ai_->model() && volume_ && seriesComplete_ && modalityProblem().isEmpty())
            ai_->requestSeries(volume_, currentSeriesInfo());
        requestAi();
    });
    connect(ai_, &AiController::modelFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("AI is off: %1").arg(message), 10000);
    });
    connect(ai_, &AiController::sliceResult, this, &MainWindow::onSliceResult);
    connect(ai_, &AiController::seriesResult, this, [this](const ai::SeriesPrediction& s) {
        if (ai_->model() && modalityProblem().isEmpty())
            onSeriesPrediction(flaggedScores(ai_->model()->card(), s));
    });
    connect(ai_, &AiController::failed, this, [this](const QString& message) {
        aiBusy_ = false;
        aiMessage_ = message;
        refreshConfidence();
    });
    connect(confidence_, &ConfidencePanel::heatmapDisplayChanged, this, [this] {
        view_->setHeatmapOpacity(confidence_->opacity());
        view_->setHeatmapVisible(confidence_->heatmapEnabled());
        applyHeatmap();
    });
    connect(confidence_, &ConfidencePanel::revealOutOfDomainChanged, this, [this](bool reveal) {
        revealOutOfDomain_ = reveal;
        applyHeatmap();
        refreshConfidence();
    });
    connect(confidence_, &ConfidencePanel::explanationChanged, this, &MainWindow::requestAi);
    connect(view_, &ImageView::heatmapToggled, confidence_, &ConfidencePanel::setHeatmapEnabled);
    connect(view_, &ImageView::sliceChanged, this, [this](int slice, int) {
        strip_->setCurrentSlice(slice);
        revealOutOfDomain_ = false; // revealing is for one image, on purpose each time
        requestAi();
    });
    connect(strip_, &SliceStrip::sliceClicked, view_, &ImageView::setSliceIndex);
    view_->setHeatmapOpacity(confidence_->opacity());

    applyModelChoice();
    refreshConfidence();
}

void MainWindow::openModel(const QString& folder) {
    // Absolute, so the pin holds when SpineLens is started later from another folder.
    runModel_.clear();
    QSettings settings;
    settings.setValue("model/mode", "pinned");
    settings.setValue("model/last", QFileInfo(folder).absoluteFilePath());
    applyModelChoice();
}

void MainWindow::useModelForThisRun(const QString& folder) {
    runModel_ = QFileInfo(folder).absoluteFilePath();
    applyModelChoice();
}

void MainWindow::applyModelChoice() {
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
            showProblem(tr("Model package missing"),
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
    } else if (scan_ && currentSeries_ >= 0 && currentSeries_ < int(scan_->series.size())) {
        // Default models: the shipped package for this kind of image.
        const SeriesInfo& s = scan_->series[std::size_t(currentSeries_)];
        const ai::DefaultModel d = ai::defaultModelFor(
            s.modality, s.kind == SourceKind::Raster,
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

SeriesInfo MainWindow::currentSeriesInfo() const {
    if (!scan_ || currentSeries_ < 0 || currentSeries_ >= int(scan_->series.size()))
        return {};
    return scan_->series[std::size_t(currentSeries_)];
}

DisplayDefaults MainWindow::currentDisplay() const {
    if (!scan_ || currentSeries_ < 0 || currentSeries_ >= int(scan_->series.size()))
        return {};
    return scan_->series[std::size_t(currentSeries_)].sliceDisplay(view_->sliceIndex());
}

QString MainWindow::modalityProblem() const {
    if (anyModality_ || !ai_ || !ai_->model() || !scan_ || currentSeries_ < 0 ||
        currentSeries_ >= int(scan_->series.size()))
        return {};
    const SeriesInfo& s = scan_->series[std::size_t(currentSeries_)];
    const ai::ModelCard& card = ai_->model()->card();
    const std::string problem =
        ai::modalityMismatch(card.name, card.modality, s.modality, s.kind == SourceKind::Raster);
    return problem.empty() ? QString()
                           : QString::fromStdString(problem) +
                                 tr(" (Model > Run on Any Modality runs it anyway).");
}

void MainWindow::requestAi() {
    if (!ai_ || !ai_->model() || !volume_ || !view_->hasImage())
        return;
    if (const QString problem = modalityProblem(); !problem.isEmpty()) {
        // Not run: no answer, no heatmap, nothing flagged; the panel says why.
        lastResult_.reset();
        aiBusy_ = false;
        aiMessage_ = problem;
        view_->clearHeatmap();
        strip_->setValues({});
        refreshConfidence();
        return;
    }
    const int slice = view_->sliceIndex();
    if (!view_->isSliceLoaded(slice))
        return;
    SliceRequest r;
    r.volume = volume_;
    r.display = currentDisplay();
    r.slice = slice;
    // Always explained, so showing the heatmap again (H) is instant.
    r.explain = true;
    r.method = confidence_->methodIndex() == 1   ? ai::ExplainMethod::GradCamPlusPlus
               : confidence_->methodIndex() == 2 ? ai::ExplainMethod::Occlusion
                                                 : ai::ExplainMethod::GradCam;
    r.classIndex = confidence_->classChoice();
    // The panel says "Classifying…" only when an answer is slow to come: repainting the panel for
    // every request would cost a frame each time on software OpenGL.
    aiBusy_ = true;
    QTimer::singleShot(300, this, [this] {
        if (aiBusy_)
            refreshConfidence();
    });
    ai_->requestSlice(r);
}

void MainWindow::onSliceResult(const SliceResult& result) {
    aiBusy_ = false;
    if (!modalityProblem().isEmpty())
        return; // asked for before "Run on Any Modality" was turned off: not shown
    if (!lastResult_ || lastResult_->slice != result.slice)
        revealOutOfDomain_ = false;
    lastResult_ = std::make_shared<const SliceResult>(result);
    aiMessage_ = result.explainError;
    applyHeatmap();
    refreshConfidence();
}

void MainWindow::applyHeatmap() {
    const SliceResult* r = lastResult_.get();
    const bool outside = r && !r->prediction.domain.inDomain;
    if (!r || !r->heatmap || (outside && !revealOutOfDomain_)) {
        // No finding for an image the model cannot assess: no heatmap either.
        view_->setHeatmapNote({});
        view_->clearHeatmap();
        return;
    }
    std::vector<float> values = r->heatmap->values;
    const std::size_t cls = std::size_t(r->heatmap->classIndex);
    if (confidence_->scaleByProbability() && cls < r->prediction.probabilities.size()) {
        const float p = r->prediction.probabilities[cls];
        for (float& v : values)
            v *= p;
    }
    view_->setHeatmapNote(outside ? tr("AI heatmap: OUT OF DOMAIN, raw output, not a finding")
                                  : QString());
    view_->setHeatmap(r->slice, values);
}

void MainWindow::onSeriesPrediction(const std::vector<float>& flagged) {
    if (flagged.size() == std::size_t(view_->sliceCount()))
        strip_->setValues(flagged);
}

void MainWindow::refreshConfidence() {
    ConfidenceState s;
    const auto model = ai_->model();
    s.aiOn = model != nullptr;
    s.offReason = ai_->unavailableReason();
    if (model) {
        const ai::ModelCard& card = model->card();
        s.headline = QString::fromStdString(card.headline());
        s.intendedUse = tr("Intended use: %1").arg(QString::fromStdString(card.intendedUse));
        s.trainingData = trainingDataLine(card);
        for (const auto& c : card.classes)
            s.classes << QString::fromStdString(c);
        s.calibration = calibrationLine(card);
        s.domainCheck = domainLine(*model);
        if (lastResult_) {
            const ai::Prediction& p = lastResult_->prediction;
            s.probabilities = p.probabilities;
            s.predicted = p.predicted;
            s.outOfDomain = !p.domain.inDomain;
            s.domainScore = p.domain.score;
            s.domainThreshold = p.domain.threshold;
            s.domainReason = QString::fromStdString(p.domain.reason);
            s.revealOutOfDomain = revealOutOfDomain_;
        }
    }
    s.busy = aiBusy_;
    s.message = aiMessage_;
    confidence_->setState(s);
}

} // namespace spinelens::ui
