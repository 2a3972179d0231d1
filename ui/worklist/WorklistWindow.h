#pragma once
// The clinicians' worklist window: studies the AI triaged, flagged first and by score (any
// column re-sorts), filters by state, lane, modality and date, counts at the top; the entry's
// model, score, threshold and where it came from, domain status and probabilities beside it;
// decisions from the keyboard (A agree, D disagree, U uncertain, with a reason and a note),
// each written at once, then on to the next entry. Opening an entry shows the study in the
// viewer at its most suspicious image.
#include "worklist/Worklist.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QTimer>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace spinelens::ui {

class WorklistQuerySource;
struct WorklistQuerySettings;

class WorklistFilter;
class WorklistModel;
class WorklistService;

class WorklistWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit WorklistWindow(WorklistService* service, QWidget* parent = nullptr);

    WorklistModel* model() const { return model_; }
    WorklistFilter* filter() const { return filter_; }
    QTableView* table() const { return table_; }
    QLabel* countsLabel() const { return counts_; }
    QLabel* detailsLabel() const { return details_; }
    QComboBox* stateFilterBox() const { return stateFilter_; }
    QComboBox* laneFilterBox() const { return laneFilter_; }
    QComboBox* reasonBox() const { return reason_; }
    QLineEdit* noteEdit() const { return note_; }
    QComboBox* sendDecisionsBox() const { return sendTo_; }
    QLineEdit* reviewerEdit() const { return reviewer_; }
    /// Watches `folder` for studies copied into it (kept in the settings); empty stops.
    void setWatchedFolder(const QString& folder);
    /// Saves the PACS query and polls it (at once, then every few minutes) while enabled.
    void setQuery(const WorklistQuerySettings& settings);
    WorklistQuerySource* querySource() const { return query_; }
    /// The study selected (empty when none).
    std::string currentStudy() const;
    /// Selects the entry in the list's current order (and opens it).
    void selectRow(int row);
    /// Re-reads the worklist file (keeps the selection).
    void refresh();
    /// Re-reads one entry (just triaged) and the counts, not the whole list.
    void refreshEntry(const QString& studyKey);
    void updateCounts();
    void fitColumns(bool firstShown);
    /// Records a verdict for the selected entry, then moves to the next one.
    void decide(const QString& verdict);
    /// The node chosen under "Send decisions to" (remembered in the settings).
    void applyDecisionNode();
    /// The longest gap between two ticks of a 10 ms timer since the last reset: how long the
    /// event loop was kept from running (the window's responsiveness during triage).
    double maxEventLoopGapMs() const { return maxGapMs_; }
    void resetEventLoopGap() { maxGapMs_ = 0; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

Q_SIGNALS:
    /// Show this study in the viewer at its most suspicious image.
    void openStudy(const worklist::Entry& entry);

private:
    void showDetails();
    void rebuildModalityFilter();
    WorklistService* service_;
    WorklistModel* model_;
    WorklistFilter* filter_;
    QTableView* table_;
    QLabel* counts_;
    QLabel* details_;
    QComboBox* stateFilter_;
    QComboBox* laneFilter_;
    QComboBox* modalityFilter_;
    QLineEdit* dateFilter_;
    QLabel* watched_;
    QLabel* queryLabel_;
    WorklistQuerySource* query_;
    QComboBox* reason_;
    QLineEdit* note_;
    QComboBox* sendTo_;
    QLineEdit* reviewer_;
    std::function<void()> nextRow_;
    QTimer heartbeat_;
    QElapsedTimer sinceBeat_;
    double maxGapMs_ = 0;
};

} // namespace spinelens::ui
