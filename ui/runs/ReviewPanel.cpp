#include "runs/ReviewPanel.h"

#include "runs/RunSession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>

namespace spinelens::ui {

ReviewPanel::ReviewPanel(RunSession* session, QWidget* parent)
    : QWidget(parent), session_(session) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    auto* tagRow = new QHBoxLayout();
    for (const QString& tag : predefinedReviewTags()) {
        auto* box = new QCheckBox(tag, this);
        box->setObjectName("tag:" + tag);
        tagRow->addWidget(box);
        tagBoxes_ << box;
        connect(box, &QCheckBox::toggled, this, [this] { writeTags(); });
    }
    tagRow->addStretch();
    form->addRow(tr("Tags"), tagRow);
    freeTags_ = new QLineEdit(this);
    freeTags_->setPlaceholderText(tr("more tags, comma separated (saved on Enter)"));
    connect(freeTags_, &QLineEdit::editingFinished, this, [this] { writeTags(); });
    form->addRow(tr("Free tags"), freeTags_);
    note_ = new QPlainTextEdit(this);
    note_->setPlaceholderText(tr("Note (saved as you type)"));
    note_->setMaximumHeight(70);
    connect(note_, &QPlainTextEdit::textChanged, this, [this] {
        if (!loading_ && case_ >= 0 && session_->setNote(case_, note_->toPlainText()))
            saved_->setText(tr("Note saved to the run file."));
    });
    form->addRow(tr("Note"), note_);
    relabel_ = new QComboBox(this);
    connect(relabel_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!loading_ && case_ >= 0 && session_->setRelabel(case_, index - 1))
            saved_->setText(tr("Proposed label saved to the run file."));
    });
    form->addRow(tr("Proposed label"), relabel_);
    saved_ = new QLabel(this);
    saved_->setStyleSheet("color: gray");
    form->addRow(QString(), saved_);
    showCase(-1);
}

QCheckBox* ReviewPanel::tagBox(const QString& tag) const {
    for (QCheckBox* b : tagBoxes_)
        if (b->text() == tag)
            return b;
    return nullptr;
}

void ReviewPanel::showCase(int caseIndex) {
    loading_ = true;
    case_ = caseIndex;
    const bool active = caseIndex >= 0 && session_->isOpen();
    setEnabled(active && session_->canReview());
    const eval::Review review = active ? session_->review(caseIndex) : eval::Review{};
    QStringList free;
    for (const auto& t : review.tags) {
        const QString tag = QString::fromStdString(t);
        if (!predefinedReviewTags().contains(tag))
            free << tag;
    }
    for (QCheckBox* b : tagBoxes_)
        b->setChecked(review.tags.count(b->text().toStdString()) > 0);
    freeTags_->setText(free.join(", "));
    note_->setPlainText(QString::fromStdString(review.note));
    relabel_->clear();
    relabel_->addItem(tr("(no proposal)"));
    if (active)
        for (const auto& c : session_->run().info.classes)
            relabel_->addItem(QString::fromStdString(c));
    relabel_->setCurrentIndex(review.relabel + 1);
    saved_->setText(active && !session_->canReview()
                        ? tr("This run file is read-only: edits cannot be saved.")
                        : QString());
    loading_ = false;
}

void ReviewPanel::writeTags() {
    if (loading_ || case_ < 0)
        return;
    std::set<std::string> tags;
    for (QCheckBox* b : tagBoxes_)
        if (b->isChecked())
            tags.insert(b->text().toStdString());
    for (const QString& t : freeTags_->text().split(',', Qt::SkipEmptyParts)) {
        const QString tag = t.trimmed().toLower();
        if (!tag.isEmpty())
            tags.insert(tag.toStdString());
    }
    if (tags == session_->review(case_).tags)
        return;
    if (session_->setTags(case_, tags))
        saved_->setText(tr("Tags saved to the run file."));
}

} // namespace spinelens::ui
