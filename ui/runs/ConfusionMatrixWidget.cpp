#include "runs/ConfusionMatrixWidget.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace spinelens::ui {
namespace {
constexpr int kLabelWidth = 120;  // room for the true-class names on the left
constexpr int kHeaderHeight = 44; // "Predicted" and the class names on top
} // namespace

ConfusionMatrixWidget::ConfusionMatrixWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a cell to show its cases in the gallery"));
}

void ConfusionMatrixWidget::setMatrix(const QStringList& classes,
                                      const std::vector<std::vector<int>>& counts,
                                      const std::vector<std::vector<double>>& rowPercent) {
    classes_ = classes;
    counts_ = counts;
    percent_ = rowPercent;
    selectedTrue_ = selectedPredicted_ = -1;
    updateGeometry();
    update();
}

void ConfusionMatrixWidget::setSelectedCell(int trueClass, int predicted) {
    selectedTrue_ = trueClass;
    selectedPredicted_ = predicted;
    update();
}

QSize ConfusionMatrixWidget::minimumSizeHint() const {
    const int n = std::max(1, int(classes_.size()));
    return {kLabelWidth + 24 + n * 64, kHeaderHeight + n * 48 + 24};
}

QRect ConfusionMatrixWidget::gridRect() const {
    const int n = std::max(1, int(classes_.size()));
    const int left = kLabelWidth + 24, top = kHeaderHeight;
    const int cell = std::max(40, std::min((width() - left - 8) / n, (height() - top - 28) / n));
    return {left, top, cell * n, cell * n};
}

QRect ConfusionMatrixWidget::cellRect(int trueClass, int predicted) const {
    const int n = int(classes_.size());
    if (trueClass < 0 || predicted < 0 || trueClass >= n || predicted >= n)
        return {};
    const QRect g = gridRect();
    const int cell = g.width() / n;
    return {g.left() + predicted * cell, g.top() + trueClass * cell, cell, cell};
}

void ConfusionMatrixWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().window());
    const int n = int(classes_.size());
    if (n == 0)
        return;
    const QRect g = gridRect();
    const int cell = g.width() / n;
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);

    p.setPen(palette().text().color());
    p.drawText(QRect(g.left(), 0, g.width(), 18), Qt::AlignCenter, tr("Predicted"));
    p.save();
    p.translate(12, g.center().y());
    p.rotate(-90);
    p.drawText(QRect(-g.height() / 2, -10, g.height(), 20), Qt::AlignCenter, tr("True"));
    p.restore();
    p.setFont(small);
    for (int k = 0; k < n; ++k) {
        const QString name = classes_[k];
        p.drawText(QRect(g.left() + k * cell, 18, cell, kHeaderHeight - 20),
                   Qt::AlignCenter | Qt::TextWordWrap, name);
        p.drawText(QRect(24, g.top() + k * cell, kLabelWidth - 4, cell),
                   Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap, name);
    }
    p.setFont(font());
    for (int t = 0; t < n; ++t)
        for (int c = 0; c < n; ++c) {
            const QRect r = cellRect(t, c);
            const double pct =
                t < int(percent_.size()) && c < int(percent_[t].size()) ? percent_[t][c] : 0.0;
            const double f = std::isfinite(pct) ? std::clamp(pct / 100.0, 0.0, 1.0) : 0.0;
            // White to the study's dark blue; text flips to white on dark cells.
            const QColor fill(int(255 - f * (255 - 8)), int(255 - f * (255 - 48)),
                              int(255 - f * (255 - 107)));
            p.fillRect(r, fill);
            p.setPen(QColor(180, 180, 180));
            p.drawRect(r.adjusted(0, 0, -1, -1));
            p.setPen(f > 0.5 ? Qt::white : Qt::black);
            const int count =
                t < int(counts_.size()) && c < int(counts_[t].size()) ? counts_[t][c] : 0;
            p.drawText(r.adjusted(2, 2, -2, -r.height() / 2), Qt::AlignHCenter | Qt::AlignBottom,
                       QString::number(count));
            p.setFont(small);
            p.drawText(r.adjusted(2, r.height() / 2, -2, -2), Qt::AlignHCenter | Qt::AlignTop,
                       QString("%1%").arg(pct, 0, 'f', 1));
            p.setFont(font());
        }
    if (selectedTrue_ >= 0 && selectedPredicted_ >= 0) {
        p.setPen(QPen(QColor(255, 140, 0), 3));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cellRect(selectedTrue_, selectedPredicted_).adjusted(1, 1, -2, -2));
    }
    p.setPen(palette().text().color());
    p.setFont(small);
    p.drawText(QRect(g.left(), g.bottom() + 4, g.width(), 20), Qt::AlignCenter,
               tr("count and row percent"));
}

void ConfusionMatrixWidget::mousePressEvent(QMouseEvent* e) {
    const int n = int(classes_.size());
    for (int t = 0; t < n; ++t)
        for (int c = 0; c < n; ++c)
            if (cellRect(t, c).contains(e->position().toPoint())) {
                setSelectedCell(t, c);
                Q_EMIT cellClicked(t, c);
                return;
            }
    QWidget::mousePressEvent(e);
}

} // namespace spinelens::ui
