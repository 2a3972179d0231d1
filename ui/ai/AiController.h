#pragma once
// Runs the model off the GUI thread: one low-priority worker, at most one request running and
// one waiting. A new request replaces the waiting one, and a result that a newer request has
// made stale is dropped, so scrolling through 200 slices runs a couple of inferences, not 200.
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "image/Volume.h"

#include "util/LatestWork.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <optional>

namespace spinelens::ui {

struct SliceRequest {
    std::shared_ptr<const Volume> volume;
    DisplayDefaults display; ///< the series' presentation, for models that take 8-bit grey
    int slice = 0;
    bool explain = true;
    ai::ExplainMethod method = ai::ExplainMethod::GradCam;
    int classIndex = -1; ///< -1: explain the predicted class
};

struct SliceResult {
    int slice = 0;
    ai::Prediction prediction;
    std::optional<ai::Heatmap> heatmap;
    QString explainError; ///< set when classification worked but the explanation did not
    QString error;        ///< set when the model could not classify this image
};

class AiController : public QObject {
    Q_OBJECT
public:
    explicit AiController(QObject* parent = nullptr);
    ~AiController() override;

    /// Loads a model package on the worker; emits modelChanged or modelFailed.
    void loadModel(const QString& folder);
    void unloadModel(const QString& reason);
    std::shared_ptr<const ai::ModelPackage> model() const { return model_; }
    /// The folder last asked for with loadModel (loaded, loading or failed); empty after unload.
    QString requestedFolder() const { return requestedFolder_; }
    /// Why AI is off (empty when a model is loaded).
    QString unavailableReason() const { return reason_; }

    void requestSlice(const SliceRequest& request);
    /// Forgets waiting requests and drops the results of running ones (the image changed).
    void dropPendingResults();
    /// Per-slice probabilities for the strip beside the scroll bar.
    /// `series`: each slice's presentation, for models that take 8-bit grey.
    void requestSeries(std::shared_ptr<const Volume> volume, const SeriesInfo& series);
    /// Slice inferences actually run since start (tests check that stale ones are skipped).
    int sliceInferencesRun() const { return sliceRuns_; }
    /// The one worker the model runs on: other model work (writing an AI report) queues here,
    /// so the model never runs twice at once.
    QThreadPool* modelPool() { return &pool_; }

Q_SIGNALS:
    void modelChanged();
    void modelFailed(const QString& message);
    void sliceResult(const SliceResult& result);
    void seriesResult(const ai::SeriesPrediction& result);
    void failed(const QString& message);

private:
    SerialPool pool_; ///< one worker: the model runs alone, in order, off the GUI's core
    std::shared_ptr<const ai::ModelPackage> model_;
    QString reason_;
    QString requestedFolder_;
    LatestWork models_{this, WorkPriority::Background, &pool_}; ///< loading a package
    LatestWork slices_{this, WorkPriority::Background, &pool_}; ///< the slice in view
    LatestWork series_{this, WorkPriority::Background, &pool_}; ///< a whole series' answer
    std::atomic<int> sliceRuns_{0};
};

} // namespace spinelens::ui

Q_DECLARE_METATYPE(spinelens::ui::SliceResult)
Q_DECLARE_METATYPE(spinelens::ai::SeriesPrediction)
