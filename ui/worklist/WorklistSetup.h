#pragma once
// What the worklist triages with, set from its window: the model each modality gets (the
// shipped default or a package the user assigns) and the flag threshold, chosen from an
// evaluation run for a target. Both are written to the worklist file at once and audited, as
// `spinelens-cli worklist assign` and `worklist threshold` write them.
#include "worklist/OperatingPoint.h"

#include <QDialog>
#include <QFutureWatcher>

#include <optional>
#include <string>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace spinelens::ui {

class WorklistService;

/// A threshold's provenance in words (rich text): where it came from and what it promises.
QString thresholdProvenanceText(const std::string& provenanceJson);

/// Where a study's flag threshold came from, in words (rich text): the operating point it was
/// triaged with (saying so when a newer one has been set since), or why the default was used.
QString flagThresholdText(const worklist::WorklistDb& db, const worklist::Entry& entry);

/// One row per modality: the model triage uses for it and where that comes from; Assign
/// Package… and Use Default change it for the studies triaged from then on.
class ModelAssignmentDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelAssignmentDialog(WorklistService* service, QWidget* parent = nullptr);
    QTableWidget* table() const { return table_; }
    QLabel* messageLabel() const { return message_; }
    /// Assigns the package at `folder` to the selected row's modality; false with the reason
    /// shown (naming the folder) when it cannot be.
    bool assignSelected(const QString& folder);
    bool useDefaultForSelected();
    void selectModality(const QString& modality);

private:
    void reload();
    QString selectedModality() const;
    WorklistService* service_;
    QTableWidget* table_;
    QLabel* message_;
};

/// Run file, target (sensitivity >= X, specificity >= Y, or a fixed value) -> the threshold
/// with the sensitivity and specificity the run expects there (bootstrap intervals), computed
/// off the GUI thread; Store keeps it with its provenance.
class ThresholdDialog : public QDialog {
    Q_OBJECT
public:
    explicit ThresholdDialog(WorklistService* service, QWidget* parent = nullptr);
    QLineEdit* runEdit() const { return run_; }
    QComboBox* targetBox() const { return target_; }
    QDoubleSpinBox* valueBox() const { return value_; }
    QPushButton* computeButton() const { return compute_; }
    QPushButton* storeButton() const { return store_; }
    QLabel* resultLabel() const { return result_; }
    /// The point last computed (what Store keeps), if any.
    const std::optional<worklist::OperatingPoint>& computed() const { return computed_; }
    /// Stores the computed point; false with the reason shown when it cannot be.
    bool storeComputed();

Q_SIGNALS:
    void computeFinished(bool ok);

private:
    void compute();
    WorklistService* service_;
    QLineEdit* run_;
    QComboBox* target_;
    QDoubleSpinBox* value_;
    QPushButton* compute_;
    QPushButton* store_;
    QLabel* result_;
    std::optional<worklist::OperatingPoint> computed_;
    QFutureWatcher<std::pair<std::optional<worklist::OperatingPoint>, QString>> watcher_;
};

} // namespace spinelens::ui
