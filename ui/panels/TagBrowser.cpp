#include "panels/TagBrowser.h"

#include "Error.h"
#include "dicom/TagDump.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace spinelens::ui {

TagBrowser::TagBrowser(QWidget* parent)
    : QWidget(parent), filter_(new QLineEdit(this)), tree_(new QTreeWidget(this)),
      status_(new QLabel(this)) {
    filter_->setPlaceholderText(tr("Search tags: number, name or value"));
    filter_->setClearButtonEnabled(true);
    tree_->setColumnCount(4);
    tree_->setHeaderLabels({tr("Tag"), tr("VR"), tr("Name"), tr("Value")});
    tree_->setRootIsDecorated(false);
    tree_->setUniformRowHeights(true);
    tree_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(filter_);
    layout->addWidget(tree_);
    layout->addWidget(status_);
    connect(filter_, &QLineEdit::textChanged, this, &TagBrowser::applyFilter);
}

void TagBrowser::showFile(const QString& path) {
    if (path == path_)
        return;
    path_ = path;
    tree_->clear();
    if (path.isEmpty()) {
        status_->setText(tr("No DICOM file in view"));
        return;
    }
    try {
        const auto rows = dicom::dumpTags(path.toStdString());
        QList<QTreeWidgetItem*> items;
        items.reserve(int(rows.size()));
        for (const auto& r : rows) {
            const QString indent(r.depth * 2, QChar(' '));
            items.append(new QTreeWidgetItem(
                {indent + QString::fromStdString(r.tag), QString::fromStdString(r.vr),
                 indent + QString::fromStdString(r.name), QString::fromStdString(r.value)}));
        }
        tree_->addTopLevelItems(items);
        status_->setText(QFileInfo(path).fileName());
    } catch (const Error& e) {
        status_->setText(QString::fromStdString(e.what()));
    }
    applyFilter();
}

void TagBrowser::setFilter(const QString& text) {
    filter_->setText(text);
}

void TagBrowser::applyFilter() {
    const QString needle = filter_->text().trimmed();
    for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = tree_->topLevelItem(i);
        bool match = needle.isEmpty();
        for (int c = 0; c < 4 && !match; ++c)
            match = item->text(c).contains(needle, Qt::CaseInsensitive);
        item->setHidden(!match);
    }
}

int TagBrowser::visibleRowCount() const {
    int n = 0;
    for (int i = 0; i < tree_->topLevelItemCount(); ++i)
        n += tree_->topLevelItem(i)->isHidden() ? 0 : 1;
    return n;
}

} // namespace spinelens::ui
