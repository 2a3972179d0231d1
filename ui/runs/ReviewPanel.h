#pragma once
// The researcher's review of one case: predefined and free tags, a note, a proposed label.
// Every edit goes to the run file at once (RunSession), so a crash loses nothing.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace spinelens::ui {

class RunSession;

class ReviewPanel : public QWidget {
    Q_OBJECT
public:
    ReviewPanel(RunSession* session, QWidget* parent = nullptr);
    /// Shows the review of a case (-1 for none) without writing anything.
    void showCase(int caseIndex);
    int caseIndex() const { return case_; }

    QCheckBox* tagBox(const QString& tag) const;
    QLineEdit* freeTagsEdit() const { return freeTags_; }
    QPlainTextEdit* noteEdit() const { return note_; }
    QComboBox* relabelBox() const { return relabel_; }

private:
    void writeTags();

    RunSession* session_;
    int case_ = -1;
    bool loading_ = false;
    QList<QCheckBox*> tagBoxes_;
    QLineEdit* freeTags_;
    QPlainTextEdit* note_;
    QComboBox* relabel_;
    QLabel* saved_;
};

} // namespace spinelens::ui
