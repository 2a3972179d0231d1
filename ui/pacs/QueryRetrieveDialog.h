#pragma once
// File > Query/Retrieve: pick or set up a PACS node (with a connection test that says what
// failed in words), search by patient, date, modality, accession or description, and retrieve
// a study into the local cache series by series, with progress and cancel. Each series is
// announced as it arrives, so the viewer opens the first one while the rest are coming.
#include "net/Cancellation.h"
#include "pacs/PacsSettings.h"
#include "study/Scanner.h"
#include "util/LatestWork.h"

#include <QDialog>

#include <atomic>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace spinelens::ui {

class QueryRetrieveDialog : public QDialog {
    Q_OBJECT
public:
    explicit QueryRetrieveDialog(QWidget* parent = nullptr);
    ~QueryRetrieveDialog() override;

    // For tests and scripting: the widgets a user works with.
    QComboBox* nodeBox() const { return nodeBox_; }
    QLineEdit* addressEdit() const { return address_; }
    QLineEdit* patientNameEdit() const { return patientName_; }
    QLineEdit* accessionEdit() const { return accession_; }
    QSpinBox* timeoutBox() const { return timeout_; }
    QLineEdit* dateEdit() const { return date_; }
    QSpinBox* movePortBox() const { return movePort_; }
    QPushButton* testButton() const { return testButton_; }
    QPushButton* searchButton() const { return searchButton_; }
    QPushButton* retrieveButton() const { return retrieveButton_; }
    QPushButton* cancelButton() const { return cancelButton_; }
    QTableWidget* results() const { return results_; }
    QLabel* statusLabel() const { return status_; }
    QProgressBar* progressBar() const { return progress_; }
    bool isRetrieving() const { return retrieving_; }

Q_SIGNALS:
    /// A series of the study is complete in `studyFolder`; `scan` is the folder scanned now.
    /// `first` is true for the study's first series.
    void seriesArrived(const QString& studyFolder, std::shared_ptr<const ScanResult> scan,
                       bool first);
    /// The retrieve ended: complete, partial (what is missing and why) or cancelled.
    void retrieveFinished(bool complete, const QString& summary);
    /// The first image of the retrieve is on disk (its scan holds that one image), before any
    /// series is complete: the viewer shows it as a preview.
    void firstImageArrived(std::shared_ptr<const ScanResult> oneImage);

private:
    void buildNodeBox(QLayout* layout);
    void showNode(int index);
    PacsNodeSettings nodeFromForm() const;
    void saveNode();
    void removeNode();
    void testConnection();
    void search();
    void retrieve();
    void setRetrieving(bool on);
    void refreshSettings();

    PacsSettings settings_;
    QComboBox* nodeBox_ = nullptr;
    QLineEdit* nodeName_ = nullptr;
    QLineEdit* address_ = nullptr;
    QLineEdit* user_ = nullptr;
    QLineEdit* token_ = nullptr;
    QSpinBox* movePort_ = nullptr;
    QLineEdit* caFile_ = nullptr;
    QSpinBox* timeout_ = nullptr;
    QLineEdit* patientName_ = nullptr;
    QLineEdit* patientId_ = nullptr;
    QLineEdit* date_ = nullptr;
    QLineEdit* modality_ = nullptr;
    QLineEdit* accession_ = nullptr;
    QLineEdit* description_ = nullptr;
    QPushButton* testButton_ = nullptr;
    QPushButton* searchButton_ = nullptr;
    QPushButton* retrieveButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QTableWidget* results_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    std::vector<net::QueryMatch> matches_;
    bool retrieving_ = false;
    std::shared_ptr<net::Cancellation> cancel_;
    LatestWork queries_{this, WorkPriority::Interactive};
    LatestWork tests_{this, WorkPriority::Interactive}; ///< connection tests, apart from searches
    /// Retrieves run alone on a thread of their own; it waits for the one in flight when
    /// the dialog goes (which cancels it first).
    SerialPool retrievePool_;
};

} // namespace spinelens::ui
