#pragma once
// The error-analysis browser: one evaluation run file with its metrics, plots and confusion
// matrix on the left, the gallery of cases (filtered by a confusion cell, class or tag; sorted
// by confidence, loss or most confidently wrong) in the middle, and the selected case in full
// with its Grad-CAM maps and review on the right.
#include "util/LatestWork.h"

#include <QMainWindow>

class QCheckBox;
class QComboBox;
class QLabel;

namespace spinelens::ui {

class CaseListModel;
class CaseView;
class ConfusionMatrixWidget;
class GalleryView;
class MetricsPanel;
class RunPlots;
class RunSession;

class RunBrowser : public QMainWindow {
    Q_OBJECT
public:
    explicit RunBrowser(QWidget* parent = nullptr);
    ~RunBrowser() override;

    /// Opens a run file (read on a worker); emits runOpened() or problem().
    void openRun(const QString& path);
    /// Shows the cases of one confusion-matrix cell (what a click on it does).
    void showCell(int trueClass, int predicted);
    void selectCase(int caseIndex);
    void nextCase();
    void previousCase();
    bool exportCsv(const QString& path);
    /// Writes the HTML report on a worker; emits exportFinished(path, error).
    void exportHtml(const QString& path);

    RunSession* session() const { return session_; }
    CaseListModel* cases() const { return model_; }
    GalleryView* gallery() const { return gallery_; }
    CaseView* caseView() const { return caseView_; }
    ConfusionMatrixWidget* confusion() const { return confusion_; }
    MetricsPanel* metricsPanel() const { return metrics_; }
    RunPlots* plots() const { return plots_; }
    QComboBox* trueFilter() const { return trueFilter_; }
    QComboBox* predictedFilter() const { return predictedFilter_; }
    QComboBox* tagFilter() const { return tagFilter_; }
    QComboBox* domainFilter() const { return domainFilter_; }
    QComboBox* sortBox() const { return sort_; }
    QString lastProblem() const { return lastProblem_; }
    /// The window as the user sees it (the native image view painted in).
    QImage grabWindowImage();

Q_SIGNALS:
    void runOpened();
    void problem(const QString& message);
    void exportFinished(const QString& path, const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;

private:
    void buildMenus();
    void onOpened();
    void applyFilter();
    void refreshTagFilter();
    void updateCountText();
    void showProblem(const QString& title, const QString& message);

    RunSession* session_;
    CaseListModel* model_;
    GalleryView* gallery_;
    CaseView* caseView_;
    ConfusionMatrixWidget* confusion_;
    MetricsPanel* metrics_;
    RunPlots* plots_;
    QComboBox* trueFilter_;
    QComboBox* predictedFilter_;
    QComboBox* tagFilter_;
    QComboBox* domainFilter_;
    QComboBox* sort_;
    QComboBox* thumbnailMap_;
    QCheckBox* wrongOnly_;
    QLabel* banner_;
    QLabel* countText_;
    QString lastProblem_;
    bool updatingFilters_ = false;
    LatestWork exports_{this, WorkPriority::Background}; ///< HTML reports, one at a time
};

} // namespace spinelens::ui
