#pragma once
// The viewer window: the image view with its slice bar, the series browser, the tag browser and
// the AI panel as docks, menus for opening, windowing, measuring and exporting. It displays a
// ViewerSession (what the view shows) and passes the user's actions to it.
#include "dicom/SeriesInfo.h"
#include "image/Volume.h"
#include "study/SeriesLoader.h"

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
class ViewerSession;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Files, folders or DICOMDIRs; the first series opens when scanning ends.
    void openPaths(const QStringList& paths);
    void openSeries(int index);
    /// File > Query/Retrieve (created on first use, kept while the window lives).
    class QueryRetrieveDialog* queryRetrieve();
    /// Opens an evaluation run file in a browser window of its own.
    class RunBrowser* openRun(const QString& path);

    ImageView* imageView() const { return view_; }
    SeriesBrowser* seriesBrowser() const { return browser_; }
    TagBrowser* tagBrowser() const { return tags_; }
    /// What the view shows (study, series, window, measurements, AI): the window displays it.
    ViewerSession* session() const { return session_; }
    StudyLoader* loader() const;
    AiController* ai() const;
    ConfidencePanel* confidencePanel() const { return confidence_; }
    SliceStrip* sliceStrip() const { return strip_; }
    /// Pins a model package for good (Model > Open Model Package…), stored as an absolute path.
    void openModel(const QString& folder);
    /// Uses a model package for this run only (`spinelens --model DIR`); settings unchanged.
    void useModelForThisRun(const QString& folder);
    std::shared_ptr<const ScanResult> scanResult() const;
    /// The last problem shown to the user (empty when none).
    QString lastProblem() const { return lastProblem_; }

    /// The image view as a PNG; without patient identity, the corner text leaves out the
    /// patient's name and ID, the study date and description.
    bool exportScreenshot(const QString& path, bool withPatientIdentity = true);
    /// Saving/sending the AI result as DICOM, the de-identified copy (File and Model menus).
    class StudyOutbox* outbox() const {
        return outbox_;
    }
    /// The DICOM receiver File > PACS Settings turns on.
    class DicomReceiver* receiver() const {
        return receiver_;
    }
    /// File > Worklist: the worklist window on `file` (default: the last one, else
    /// AppData/worklist.sqlite); null when the file cannot be opened (said to the user).
    class WorklistWindow* openWorklist(const QString& file = {});
    class WorklistService* worklist() const {
        return worklist_;
    }
    /// Opens files/folders and shows the series `seriesUid` at `slice` (a worklist entry's most
    /// suspicious image) instead of the first series' first slice.
    void openStudyAt(const QStringList& paths, const std::string& seriesUid, int slice);
    static QString defaultWorklistFile();
    /// Applies the saved PACS settings (starts, restarts or stops the receiver); returns the
    /// problem in words, or empty.
    QString applyPacsSettings();
    /// The worklist's service, made on first use; what the receiver takes goes to it.
    class WorklistService* worklistService();
    /// With the receiver on and a worklist used before, what arrives enters that worklist
    /// whether or not its window is open.
    void feedWorklistFromReceiver();
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
    void onFirstImageArrived(std::shared_ptr<const ScanResult> oneImage);
    void onSeriesArrived(const QString& studyFolder, std::shared_ptr<const ScanResult> scan,
                         bool first);
    void connectSession();
    void rememberRecent(const QStringList& paths);
    void rebuildRecentMenu();
    void showProblem(const QString& title, const QString& message);
    void onScanFinished(std::shared_ptr<const ScanResult> scan);
    void onSeriesStarted(std::shared_ptr<const Volume> volume, const SeriesInfo& series,
                         int initialSlice);
    void onSeriesLoaded(const LoadReport& report);
    // PACS and export wiring, in MainWindowPacs.cpp.
    void setupPacs();
    void addPacsActions(QMenu* file);
    void addExportActions(QMenu* file);
    void addAiResultActions(QMenu* model);
    void addWorklistActions(QMenu* file);
    /// Marks the studies of a scan whose retrieve into the cache ended partial.
    void showRetrieveNotes(const ScanResult& scan);
    // AI wiring, in MainWindowAi.cpp.
    void setupAi(QMenu* modelMenu);
    /// Shows the session's AI state in the panel, and takes the panel's explanation choice
    /// back (a new model's class list resets it).
    void refreshConfidence();
    /// Shows the session's heatmap as the panel asks (scale), or none.
    void applyHeatmap();

    ViewerSession* session_;
    ImageView* view_;
    QScrollBar* sliceBar_;
    SeriesBrowser* browser_;
    TagBrowser* tags_;
    QProgressBar* progress_;
    QLabel* statusText_;
    QMenu* recentMenu_ = nullptr;
    QString lastProblem_;
    class QueryRetrieveDialog* queryRetrieve_ = nullptr;
    QElapsedTimer progressClock_;
    ConfidencePanel* confidence_ = nullptr;
    class StudyOutbox* outbox_ = nullptr;
    class DicomReceiver* receiver_ = nullptr;
    class WorklistService* worklist_ = nullptr;
    class WorklistWindow* worklistWindow_ = nullptr;
    /// Where openStudyAt wants the next scan to open (consumed by the next scan/series).
    std::string pendingSeriesUid_;
    int pendingSlice_ = -1;
    SliceStrip* strip_ = nullptr;
};

} // namespace spinelens::ui
