#include "panels/SeriesBrowser.h"

#include "util/DisplayText.h"

#include "Error.h"
#include "study/Thumbnail.h"

#include <QHeaderView>
#include <QImage>
#include <QPixmap>
#include <QtConcurrent>

#include <map>

namespace spinelens::ui {
namespace {
constexpr int kSeriesRole = Qt::UserRole + 1;
constexpr int kThumbSize = 72;
} // namespace

SeriesBrowser::SeriesBrowser(QWidget* parent) : QTreeWidget(parent) {
    setHeaderHidden(true);
    setIconSize(QSize(kThumbSize, kThumbSize));
    setUniformRowHeights(false);
    setAlternatingRowColors(false);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const int index = seriesIndexOf(item);
        if (index >= 0)
            Q_EMIT seriesActivated(index);
    });
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) {
        const int index = seriesIndexOf(item);
        if (index >= 0)
            Q_EMIT seriesActivated(index);
    });
}

int SeriesBrowser::seriesIndexOf(const QTreeWidgetItem* item) {
    if (!item)
        return -1;
    const QVariant v = item->data(0, kSeriesRole);
    return v.isValid() ? v.toInt() : -1;
}

void SeriesBrowser::setScan(std::shared_ptr<const ScanResult> scan) {
    thumbnails_.invalidate();
    clear();
    studyItems_.clear();
    studyTexts_.clear();
    scan_ = std::move(scan);
    if (!scan_)
        return;
    std::map<std::string, QTreeWidgetItem*> patients, studies;
    for (int i = 0; i < int(scan_->series.size()); ++i) {
        const SeriesInfo& s = scan_->series[std::size_t(i)];
        QTreeWidgetItem* parent = nullptr;
        if (s.kind == SourceKind::Dicom) {
            const std::string pkey = s.patientId + "|" + s.patientName;
            auto& patient = patients[pkey];
            if (!patient) {
                QString name = displayPersonName(s.patientName);
                patient =
                    new QTreeWidgetItem(this, {QString("%1  (%2)")
                                                   .arg(name.isEmpty() ? "Unnamed patient" : name,
                                                        QString::fromStdString(s.patientId))});
                patient->setExpanded(true);
            }
            auto& study = studies[pkey + "|" + s.studyInstanceUid];
            if (!study) {
                QString date = QString::fromStdString(s.studyDate);
                if (date.size() == 8)
                    date = date.left(4) + "-" + date.mid(4, 2) + "-" + date.mid(6, 2);
                const QString text =
                    QString("%1  %2").arg(date, QString::fromStdString(s.studyDescription));
                study = new QTreeWidgetItem(patient, {text});
                study->setExpanded(true);
                studyItems_[s.studyInstanceUid] = study;
                studyTexts_[s.studyInstanceUid] = text;
                showStudyNote(s.studyInstanceUid);
            }
            parent = study;
        } else {
            auto& xrays = patients["\x01xrays"];
            if (!xrays) {
                xrays = new QTreeWidgetItem(this, {tr("X-ray images (PNG/JPEG)")});
                xrays->setExpanded(true);
            }
            parent = xrays;
        }
        auto* item = new QTreeWidgetItem(parent, {QString::fromStdString(s.displayName())});
        item->setData(0, kSeriesRole, i);
        item->setToolTip(0, QString("%1 x %2, %3 image(s), sorted by %4")
                                .arg(s.columns)
                                .arg(s.rows)
                                .arg(s.slices.size())
                                .arg(QString::fromStdString(s.sortedBy)));
        requestThumbnail(item, s);
    }
    if (!scan_->failures.empty()) {
        auto* bad = new QTreeWidgetItem(
            this, {tr("%n file(s) could not be read", "", int(scan_->failures.size()))});
        bad->setForeground(0, QColor(230, 120, 90));
        for (const auto& f : scan_->failures) {
            auto* item =
                new QTreeWidgetItem(bad, {QString::fromStdString(f.path + ": " + f.reason)});
            item->setToolTip(0, item->text(0));
        }
    }
}

void SeriesBrowser::setStudyNote(const std::string& studyUid, const QString& note) {
    if (note.isEmpty())
        studyNotes_.erase(studyUid);
    else
        studyNotes_[studyUid] = note;
    showStudyNote(studyUid);
}

void SeriesBrowser::showStudyNote(const std::string& studyUid) {
    const auto item = studyItems_.find(studyUid);
    if (item == studyItems_.end())
        return;
    const auto note = studyNotes_.find(studyUid);
    const QString text = studyTexts_[studyUid];
    if (note == studyNotes_.end()) {
        item->second->setText(0, text);
        item->second->setToolTip(0, {});
        item->second->setForeground(0, palette().color(QPalette::Text));
        return;
    }
    item->second->setText(0, text + "  [" + note->second.section('\n', 0, 0) + "]");
    item->second->setToolTip(0, note->second);
    item->second->setForeground(0, QColor(230, 120, 90));
}

void SeriesBrowser::setCurrentSeries(int index) {
    QTreeWidgetItemIterator it(this);
    for (; *it; ++it)
        if (seriesIndexOf(*it) == index) {
            setCurrentItem(*it);
            return;
        }
}

void SeriesBrowser::requestThumbnail(QTreeWidgetItem* item, const SeriesInfo& series) {
    const int index = seriesIndexOf(item);
    thumbnails_.add(
        [series] {
            try {
                const Thumbnail t = makeThumbnail(series, kThumbSize);
                QImage image(t.width, t.height, QImage::Format_Grayscale8);
                for (int y = 0; y < t.height; ++y)
                    std::memcpy(image.scanLine(y), t.grey.data() + std::size_t(y) * t.width,
                                std::size_t(t.width));
                return image;
            } catch (const std::exception&) {
                return QImage(); // the load itself reports the problem
            }
        },
        [this, index](const QImage& image) {
            // Dropped when the tree was rebuilt (its items are gone).
            QTreeWidgetItemIterator it(this);
            for (; *it; ++it)
                if (seriesIndexOf(*it) == index && !image.isNull())
                    (*it)->setIcon(0, QIcon(QPixmap::fromImage(image)));
        });
}

} // namespace spinelens::ui
