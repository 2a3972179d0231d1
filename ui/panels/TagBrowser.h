#pragma once
// Every DICOM attribute of the file behind the slice in view, searchable by tag, keyword or
// value (e.g. "0028", "spacing", "MONOCHROME").
#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QLabel;

namespace spinelens::ui {

class TagBrowser : public QWidget {
    Q_OBJECT
public:
    explicit TagBrowser(QWidget* parent = nullptr);

    /// Shows the tags of a DICOM file; an empty path or a non-DICOM file clears the list.
    void showFile(const QString& path);
    void setFilter(const QString& text);
    /// Number of attribute rows currently visible (after filtering).
    int visibleRowCount() const;

private:
    void applyFilter();

    QLineEdit* filter_;
    QTreeWidget* tree_;
    QLabel* status_;
    QString path_;
};

} // namespace spinelens::ui
