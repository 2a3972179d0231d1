#pragma once
// What one viewport shows, without any widget: the scan and the series open in it, its volume
// as slices land, the slice in view, the window, the measurements, the AI model chosen for it
// and the model's answers. MainWindow displays a session and forwards the user's actions to it;
// several viewports will be several sessions (the run browser does the same with RunSession).
#include "ai/AiController.h"
#include "ai/AiPresentation.h"
#include "dicom/SeriesInfo.h"
#include "image/Measurement.h"
#include "image/Volume.h"
#include "image/WindowLevel.h"
#include "report/StoredAiResults.h"
#include "study/SeriesLoader.h"

#include <QObject>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace spinelens::ui {

class StudyLoader;

/// A measurement and the slice it was drawn on.
struct PlacedMeasurement {
    int slice = 0;
    Measurement measurement;
};

/// How the heatmap is asked for (the panel's method and class choice).
struct ExplainChoice {
    ai::ExplainMethod method = ai::ExplainMethod::GradCam;
    int classIndex = -1; ///< -1: the predicted class
};

/// The heatmap to draw for the slice in view, after the out-of-domain rule and scaling.
struct ShownHeatmap {
    int slice = 0;
    std::vector<float> values;
    QString note; ///< drawn with it (raw out-of-domain output), else empty
};

class ViewerSession : public QObject {
    Q_OBJECT
public:
    explicit ViewerSession(QObject* parent = nullptr);
    ~ViewerSession() override;

    StudyLoader* loader() const { return loader_; }
    AiController* ai() const { return ai_; }

    // --- The study ---
    /// Files, folders or DICOMDIRs; the first series opens when scanning ends.
    void scan(const QStringList& paths);
    /// False when the scan has no such series.
    bool openSeries(int index);
    /// A newer scan of the same study made elsewhere (series still arriving from a PACS):
    /// taken without touching the series being shown or loaded, which keeps its place by
    /// its UID. Emits studyUpdated.
    void adoptScan(std::shared_ptr<const ScanResult> scan);
    std::shared_ptr<const ScanResult> scanResult() const { return scan_; }
    /// Shows the first image of a series that is still arriving from a PACS, so the reader
    /// sees something at once. The AI does not run on a preview (its series answer would
    /// stand on one image); opening the whole series ends it.
    void openPreview(std::shared_ptr<const ScanResult> scan);
    bool previewing() const { return preview_; }
    /// AI results stored with the scanned studies (our SRs), read when the scan arrives.
    const std::vector<report::StoredAiResult>& storedResults() const { return stored_; }
    int seriesIndex() const { return seriesIndex_; }
    /// The series open in this view, or null.
    const SeriesInfo* series() const;
    std::shared_ptr<const Volume> volume() const { return volume_; }
    bool seriesComplete() const { return seriesComplete_; }
    bool isSliceLoaded(int slice) const;

    // --- What the view shows (reported by the view as the user changes it) ---
    int slice() const { return slice_; }
    /// The slice in view; an AI answer revealed for the previous slice is hidden again.
    void setSlice(int slice);
    Window window() const { return window_; }
    void setWindow(const Window& window) { window_ = window; }
    const std::vector<PlacedMeasurement>& measurements() const { return measurements_; }
    void addMeasurement(int slice, const Measurement& m) { measurements_.push_back({slice, m}); }
    void clearMeasurements() { measurements_.clear(); }

    // --- The AI ---
    /// Pins a model package for good, stored as an absolute path.
    void pinModel(const QString& folder);
    /// A model package for this run only; settings unchanged.
    void useModelForThisRun(const QString& folder);
    void useDefaultModels();
    void turnAiOff();
    /// Runs the model on images of another modality than its card names (this run only).
    void setAnyModality(bool on);
    bool anyModality() const { return anyModality_; }
    void setExplainChoice(const ExplainChoice& choice);
    const ExplainChoice& explainChoice() const { return explain_; }
    /// The user asked to see the raw output for this out-of-domain image.
    void setRevealOutOfDomain(bool reveal);
    /// Why the loaded model may not run on the series in view; empty when it may.
    QString modalityProblem() const;
    /// Everything the confidence panel shows.
    ConfidenceState confidence() const;
    /// The heatmap to draw, or none (no answer, or out of domain and not revealed).
    std::optional<ShownHeatmap> heatmapToShow(bool scaleByProbability) const;
    /// Asks the model about the slice in view, when it is loaded and the model may run.
    void requestAi();

Q_SIGNALS:
    void scanFinished(std::shared_ptr<const ScanResult> scan);
    /// adoptScan took a newer scan; seriesIndex() is the open series' place in it (or -1).
    void studyUpdated(std::shared_ptr<const ScanResult> scan);
    void seriesStarted(std::shared_ptr<const Volume> volume, const SeriesInfo& series,
                       int initialSlice);
    void sliceLoaded(int slice, int loaded, int total);
    void seriesLoaded(const LoadReport& report);
    void loadFailed(const QString& message);
    /// Something the user must be told (a pinned model package has gone).
    void problem(const QString& title, const QString& message);
    /// The confidence panel's state changed (model, answer, busy, message).
    void aiChanged();
    /// The heatmap to show changed (heatmapToShow() tells what it is now).
    void heatmapChanged();
    /// Per-slice flag scores for the strip; empty clears it.
    void flaggedChanged(const std::vector<float>& scores);

private:
    bool openSeries(int index, bool preview);
    /// Loads or unloads the model the settings ask for: off, a pinned package, or (default)
    /// the shipped package for the current series' kind of image.
    void applyModelChoice();
    /// No series in view (a new scan, or a series that failed to open).
    void closeSeries();
    void requestSeriesAi();
    void onModelChanged();
    void onSliceResult(const SliceResult& result);
    void forgetAiAnswer();
    DisplayDefaults currentDisplay() const;

    StudyLoader* loader_;
    AiController* ai_;
    std::shared_ptr<const ScanResult> scan_;
    std::vector<report::StoredAiResult> stored_;
    /// Takes a scan (new or newer) and reads the AI results stored with it.
    void setScan(std::shared_ptr<const ScanResult> scan);
    int seriesIndex_ = -1;
    std::shared_ptr<const Volume> volume_;
    std::vector<char> loaded_;
    bool seriesComplete_ = false;
    bool preview_ = false;              ///< the series shown is a preview of one still arriving
    report::StoredAiCache storedCache_; ///< SRs read so far, by path
    int slice_ = 0;
    Window window_;
    std::vector<PlacedMeasurement> measurements_;

    ExplainChoice explain_;
    /// The newest answer for the slice in view (prediction, domain check, heatmap).
    std::shared_ptr<const SliceResult> lastResult_;
    bool revealOutOfDomain_ = false;
    QString runModel_;         ///< a model for this run (absolute), empty when none
    bool anyModality_ = false; ///< Model > Run on Any Modality, for this run only
    QString aiMessage_;
    bool aiBusy_ = false;
};

} // namespace spinelens::ui
