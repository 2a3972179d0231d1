#pragma once
// File > PACS Settings: our AE title, the local cache of retrieved studies and its size limit,
// and the DICOM receiver (on/off, AE title, port, store folder). The PACS nodes themselves are
// set up where they are used, in Query/Retrieve.
#include "pacs/PacsSettings.h"

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace spinelens::ui {

class PacsSettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit PacsSettingsDialog(QWidget* parent = nullptr);

    /// The form's values; Error-free: out-of-range values cannot be typed.
    PacsSettings settings() const;
    /// Checks the form (AE titles of 1-16 characters without backslash, folders that can be
    /// created) and saves it; returns the problem in words, or empty when saved.
    QString apply();
    /// The study folder open in the viewer: a smaller cache limit never removes it.
    void setOpenStudyFolder(const QString& folder) { openStudy_ = folder; }

    QLineEdit* callingAetEdit() const { return callingAet_; }
    QLineEdit* cacheFolderEdit() const { return cacheFolder_; }
    QSpinBox* cacheLimitBox() const { return cacheLimit_; }
    QCheckBox* receiverBox() const { return receiver_; }
    QLineEdit* receiverAetEdit() const { return receiverAet_; }
    QSpinBox* receiverPortBox() const { return receiverPort_; }
    QLineEdit* receiverFolderEdit() const { return receiverFolder_; }
    QLabel* problemLabel() const { return problem_; }

    QListWidget* nodesList() const { return nodes_; }

private:
    void listNodes();
    PacsSettings loaded_;
    QString openStudy_;
    QLineEdit* callingAet_;
    QListWidget* nodes_;
    QLineEdit* cacheFolder_;
    QSpinBox* cacheLimit_;
    QLabel* cacheUse_;
    QCheckBox* receiver_;
    QLineEdit* receiverAet_;
    QSpinBox* receiverPort_;
    QLineEdit* receiverFolder_;
    QLabel* problem_;
};

/// The problem with an AE title in words, or empty when it is valid (PS3.5: 1-16 characters
/// of the default repertoire, no backslash or control characters, not only spaces).
QString aeTitleProblem(const QString& aet);

} // namespace spinelens::ui
