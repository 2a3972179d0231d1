#pragma once
// A saved PACS query as a source of the worklist ("lumbar MR of the last 24 hours"): its
// settings, the dialog that edits them, and the timer that polls it through the service.
#include "worklist/QuerySource.h"

#include <QDialog>
#include <QObject>
#include <QString>
#include <QTimer>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace spinelens::ui {

class WorklistService;

struct WorklistQuerySettings {
    bool enabled = false;
    QString node; ///< a PACS node's name from the PACS settings
    QString modality, description;
    int lastHours = 24;   ///< 0: any date
    int everyMinutes = 5; ///< how often it is asked again
    static WorklistQuerySettings load();
    void save() const;
    worklist::SavedQuery query() const;
    /// "MR, last 24 h, from Orthanc every 5 min", or "no PACS query".
    QString describe() const;
};

class WorklistQueryDialog : public QDialog {
    Q_OBJECT
public:
    explicit WorklistQueryDialog(const WorklistQuerySettings& settings, QWidget* parent = nullptr);
    WorklistQuerySettings settings() const;

    QCheckBox* enabledBox() const { return enabled_; }
    QComboBox* nodeBox() const { return node_; }
    QLineEdit* modalityEdit() const { return modality_; }
    QLineEdit* descriptionEdit() const { return description_; }
    QSpinBox* hoursBox() const { return hours_; }
    QSpinBox* minutesBox() const { return minutes_; }

private:
    QCheckBox* enabled_;
    QComboBox* node_;
    QLineEdit* modality_;
    QLineEdit* description_;
    QSpinBox* hours_;
    QSpinBox* minutes_;
};

/// Polls the saved query while it is enabled: at once when set, then every few minutes.
/// Retrieved studies go to the DICOM receiver's store folder, beside pushed ones.
class WorklistQuerySource : public QObject {
    Q_OBJECT
public:
    WorklistQuerySource(WorklistService* service, QObject* parent = nullptr);
    void apply(const WorklistQuerySettings& settings);
    const WorklistQuerySettings& settings() const { return settings_; }
    /// Asks the PACS now (nothing when the query is off or its node is gone: says why).
    void pollNow();

Q_SIGNALS:
    void problem(const QString& message);

private:
    WorklistService* service_;
    WorklistQuerySettings settings_;
    QTimer timer_;
};

} // namespace spinelens::ui
