#include "runs/GalleryView.h"

#include "runs/CaseListModel.h"

#include <QPainter>
#include <QStyledItemDelegate>

namespace spinelens::ui {
namespace {

constexpr int kThumb = 128;
constexpr int kTextHeight = 34; // two lines: the true class, then predicted and confidence

class CaseTileDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QSize sizeHint(const QStyleOptionViewItem&, const QModelIndex&) const override {
        return GalleryView::tileSize();
    }

    void paint(QPainter* p, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        p->save();
        const QRect tile = option.rect.adjusted(3, 3, -3, -3);
        const bool selected = option.state & QStyle::State_Selected;
        p->fillRect(tile, selected ? option.palette.highlight() : option.palette.base());
        const bool correct = index.data(CaseListModel::CorrectRole).toBool();
        const QColor edge = correct ? QColor(46, 160, 67) : QColor(215, 58, 73);
        p->fillRect(QRect(tile.left(), tile.top(), tile.width(), 4), edge);

        const QRect imageBox(tile.left() + (tile.width() - kThumb) / 2, tile.top() + 6, kThumb,
                             kThumb);
        const QVariant decoration = index.data(Qt::DecorationRole);
        if (decoration.canConvert<QImage>() && !decoration.value<QImage>().isNull()) {
            const QImage image = decoration.value<QImage>();
            const QSize s = image.size().scaled(imageBox.size(), Qt::KeepAspectRatio);
            const QRect target(imageBox.left() + (imageBox.width() - s.width()) / 2,
                               imageBox.top() + (imageBox.height() - s.height()) / 2, s.width(),
                               s.height());
            p->drawImage(target, image);
        } else {
            p->fillRect(imageBox, QColor(40, 40, 40));
            p->setPen(QColor(150, 150, 150));
            p->drawText(imageBox, Qt::AlignCenter, QObject::tr("loading…"));
        }
        if (!index.data(CaseListModel::InDomainRole).toBool()) {
            // Outside the training data: a grey band no elision can hide; no finding.
            const QRect band(imageBox.left(), imageBox.bottom() - 15, imageBox.width(), 16);
            p->fillRect(band, QColor(90, 90, 90, 230));
            p->setPen(Qt::white);
            QFont f = option.font;
            f.setBold(true);
            f.setPointSizeF(f.pointSizeF() * 0.85);
            p->setFont(f);
            p->drawText(band, Qt::AlignCenter, QObject::tr("OUT OF DOMAIN"));
            p->setFont(option.font);
        }
        if (index.data(CaseListModel::TaggedRole).toBool()) {
            p->setBrush(QColor(255, 193, 7));
            p->setPen(Qt::NoPen);
            p->drawEllipse(QRect(imageBox.right() - 14, imageBox.top() + 4, 10, 10));
        }
        p->setPen(selected ? option.palette.highlightedText().color()
                           : option.palette.text().color());
        const QStringList lines = index.data(CaseListModel::SummaryRole).toString().split('\n');
        const QFontMetrics fm(option.font);
        for (int i = 0; i < lines.size() && i < 2; ++i) {
            const QRect line(tile.left() + 2, imageBox.bottom() + 3 + i * fm.height(),
                             tile.width() - 4, fm.height());
            p->drawText(line, Qt::AlignHCenter | Qt::AlignTop,
                        fm.elidedText(lines[i], Qt::ElideMiddle, line.width()));
        }
        p->restore();
    }
};

} // namespace

QSize GalleryView::tileSize() {
    return {kThumb + 24, kThumb + kTextHeight + 16};
}

GalleryView::GalleryView(QWidget* parent) : QListView(parent) {
    setViewMode(QListView::IconMode);
    setMovement(QListView::Static);
    setResizeMode(QListView::Adjust);
    setUniformItemSizes(true); // constant-time layout: 10,000 cases scroll like 100
    setGridSize(tileSize());
    setSelectionMode(QAbstractItemView::SingleSelection);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setWordWrap(true);
    setItemDelegate(new CaseTileDelegate(this));
}

} // namespace spinelens::ui
