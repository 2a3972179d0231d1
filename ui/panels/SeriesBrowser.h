#pragma once
// Patient / study / series tree with thumbnails made off the GUI thread, and the files that
// could not be read listed with their reasons.
#include "dicom/SeriesInfo.h"

#include "util/LatestWork.h"

#include <QTreeWidget>

#include <map>
#include <memory>
#include <string>

namespace spinelens::ui {

class SeriesBrowser : public QTreeWidget {
    Q_OBJECT
public:
    explicit SeriesBrowser(QWidget* parent = nullptr);

    void setScan(std::shared_ptr<const ScanResult> scan);
    void setCurrentSeries(int index);
    /// A note shown on a study's row (e.g. "partial retrieve" and why); empty removes it.
    /// Kept across scans of the same study.
    void setStudyNote(const std::string& studyUid, const QString& note);
    /// Series index of the given tree item, or -1.
    static int seriesIndexOf(const QTreeWidgetItem* item);

Q_SIGNALS:
    void seriesActivated(int index);

private:
    void requestThumbnail(QTreeWidgetItem* item, const SeriesInfo& series);

    std::shared_ptr<const ScanResult> scan_;
    std::map<std::string, QString> studyNotes_;
    std::map<std::string, QTreeWidgetItem*> studyItems_;
    std::map<std::string, QString> studyTexts_; ///< each study row's text without its note
    void showStudyNote(const std::string& studyUid);
    /// Thumbnails of the scan shown; a new scan drops those still being made.
    LatestWork thumbnails_{this, WorkPriority::Interactive};
};

} // namespace spinelens::ui
