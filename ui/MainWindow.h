#pragma once
// The viewer window: the image view with its slice bar, the series browser and the tag
// browser as docks, menus for opening, windowing, measuring and exporting.
#include "dicom/SeriesInfo.h"
#include "study/SeriesLoader.h"
#include "image/Volume.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <memory>

class QLabel;
class QMenu;
class QProgressBar;
class QScrollBar;

namespace spinelens::ui {

class AiController;
class ConfidencePanel;
class ImageView;
class SeriesBrowser;
class SliceStrip;
struct SliceResult;
class StudyLoader;
class TagBrowser;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Files, folders or DICOMDIRs; the first series opens when scanning ends.
    void openPaths(const QStringList& paths);
    void openSeries(int index);
    /// Opens an evaluation run file in a browser window of its own.
    class RunBrowser* openRun(const QString& path);

    ImageView* imageView() const { return view_; }
    SeriesBrowser* seriesBrowser() const { return browser_; }
    TagBrowser* tagBrowser() const { return tags_; }
    StudyLoader* loader() const { return loader_; }
    AiController* ai() const { return ai_; }
    ConfidencePanel* confidencePanel() const { return confidence_; }
    SliceStrip* sliceStrip() const { return strip_; }
    /// Pins a model package for good (Model > Open Model Package…), stored as an absolute path.
    void openModel(const QString& folder);
    /// Uses a model package for this run only (`spinelens --model DIR`); settings unchanged.
    void useModelForThisRun(const QString& folder);
    std::shared_ptr<const ScanResult> scanResult() const { return scan_; }
    /// The last problem shown to the user (empty when none).
    QString lastProblem() const { return lastProblem_; }

    bool exportScreenshot(const QString& path);
    /// The whole window as the user sees it. QWidget::grab() leaves the image view blank: it
    /// is a native OpenGL window, so its own framebuffer is painted in.
    QImage grabWindowImage();

Q_SIGNALS:
    /// Every slice of the current series is decoded (or has failed).
    void seriesReady();
    /// Scanning found nothing usable, or loading failed.
    void problem(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildMenus();
    void rememberRecent(const QStringList& paths);
    void rebuildRecentMenu();
    void showProblem(const QString& title, const QString& message);
    void onScanFinished(std::shared_ptr<const ScanResult> scan);
    void onSeriesLoaded(const LoadReport& report);
    // AI wiring, in MainWindowAi.cpp.
    void setupAi(QMenu* modelMenu);
    /// Loads or unloads the model the settings ask for: off, a pinned package, or (default)
    /// the shipped package for the current series' kind of image.
    void applyModelChoice();
    void requestAi();
    void refreshConfidence();
    void onSliceResult(const SliceResult& result);
    void onSeriesPrediction(const std::vector<float>& flagged);
    /// Why the loaded model may not run on the current series (its card names another
    /// modality and the user has not allowed any modality); empty when it may.
    QString modalityProblem() const;
    /// The shown slice's presentation (VOI, MONOCHROME1, depth) that 8-bit models are given.
    DisplayDefaults currentDisplay() const;
    SeriesInfo currentSeriesInfo() const;
    /// Shows the last heatmap as the panel asks (scale, out-of-domain rule), or none.
    void applyHeatmap();

    ImageView* view_;
    QScrollBar* sliceBar_;
    SeriesBrowser* browser_;
    TagBrowser* tags_;
    StudyLoader* loader_;
    QProgressBar* progress_;
    QLabel* statusText_;
    QMenu* recentMenu_ = nullptr;
    std::shared_ptr<const ScanResult> scan_;
    int currentSeries_ = -1;
    QString lastProblem_;
    QElapsedTimer progressClock_;
    AiController* ai_ = nullptr;
    ConfidencePanel* confidence_ = nullptr;
    SliceStrip* strip_ = nullptr;
    std::shared_ptr<const Volume> volume_;
    bool seriesComplete_ = false;
    /// The newest answer for the slice in view (prediction, domain check, heatmap).
    std::shared_ptr<const SliceResult> lastResult_;
    /// The user pressed "Show raw output anyway" for this out-of-domain image.
    bool revealOutOfDomain_ = false;
    QString runModel_;         ///< --model for this run (absolute), empty when not given
    bool anyModality_ = false; ///< Model > Run on Any Modality, for this run only
    QString aiMessage_;
    bool aiBusy_ = false;
};

} // namespace spinelens::ui
