// MainWindow's AI side: the model menu, the confidence panel, the heatmap layer and the slice
// strip, all showing the session's AI state (the model runs in its AiController).
#include "MainWindow.h"

#include "ViewerSession.h"
#include "ai/AiController.h"
#include "ai/ConfidencePanel.h"
#include "ai/SliceStrip.h"
#include "view/ImageView.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QMenu>
#include <QScrollArea>
#include <QStatusBar>

namespace spinelens::ui {
namespace {

ExplainChoice explainChoiceOf(const ConfidencePanel& panel) {
    ExplainChoice c;
    c.method = panel.methodIndex() == 1   ? ai::ExplainMethod::GradCamPlusPlus
               : panel.methodIndex() == 2 ? ai::ExplainMethod::Occlusion
                                          : ai::ExplainMethod::GradCam;
    c.classIndex = panel.classChoice();
    return c;
}

} // namespace

void MainWindow::setupAi(QMenu* modelMenu) {
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
    modelMenu->addAction(tr("Use &Default Models"), session_, &ViewerSession::useDefaultModels);
    QAction* anyModality = modelMenu->addAction(tr("Run on Any &Modality"));
    anyModality->setCheckable(true);
    anyModality->setToolTip(tr("Run the model on images of another modality than its card "
                               "names (for this session only)"));
    connect(anyModality, &QAction::toggled, session_, &ViewerSession::setAnyModality);
    modelMenu->addAction(tr("Turn AI &Off"), session_, &ViewerSession::turnAiOff);
    addAiResultActions(modelMenu);

    connect(session_->ai(), &AiController::modelFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("AI is off: %1").arg(message), 10000);
    });
    connect(session_, &ViewerSession::aiChanged, this, &MainWindow::refreshConfidence);
    connect(session_, &ViewerSession::heatmapChanged, this, &MainWindow::applyHeatmap);
    connect(session_, &ViewerSession::flaggedChanged, strip_, &SliceStrip::setValues);
    connect(confidence_, &ConfidencePanel::heatmapDisplayChanged, this, [this] {
        view_->setHeatmapOpacity(confidence_->opacity());
        view_->setHeatmapVisible(confidence_->heatmapEnabled());
        applyHeatmap();
    });
    connect(confidence_, &ConfidencePanel::revealOutOfDomainChanged, session_,
            &ViewerSession::setRevealOutOfDomain);
    connect(confidence_, &ConfidencePanel::explanationChanged, this, [this] {
        session_->setExplainChoice(explainChoiceOf(*confidence_));
        session_->requestAi();
    });
    connect(view_, &ImageView::heatmapToggled, confidence_, &ConfidencePanel::setHeatmapEnabled);
    connect(strip_, &SliceStrip::sliceClicked, view_, &ImageView::setSliceIndex);
    view_->setHeatmapOpacity(confidence_->opacity());
    session_->setExplainChoice(explainChoiceOf(*confidence_));
    refreshConfidence();
}

void MainWindow::openModel(const QString& folder) {
    session_->pinModel(folder);
}

void MainWindow::useModelForThisRun(const QString& folder) {
    session_->useModelForThisRun(folder);
}

void MainWindow::applyHeatmap() {
    const std::optional<ShownHeatmap> h =
        session_->heatmapToShow(confidence_->scaleByProbability());
    if (!h) {
        view_->setHeatmapNote({});
        view_->clearHeatmap();
        return;
    }
    view_->setHeatmapNote(h->note);
    view_->setHeatmap(h->slice, h->values);
}

void MainWindow::refreshConfidence() {
    confidence_->setState(session_->confidence());
    session_->setExplainChoice(explainChoiceOf(*confidence_));
}

} // namespace spinelens::ui
