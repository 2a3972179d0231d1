#include "ai/SliceStrip.h"

#include "image/Colormap.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>

namespace spinelens::ui {

SliceStrip::SliceStrip(QWidget* parent) : QWidget(parent) {
    setFixedWidth(14);
    setToolTip(tr("AI flag per slice (click to go to a slice)"));
}

void SliceStrip::setValues(const std::vector<float>& values) {
    values_ = values;
    update();
}

void SliceStrip::setCurrentSlice(int slice) {
    current_ = slice;
    update();
}

int SliceStrip::sliceAt(int y) const {
    if (values_.empty())
        return -1;
    return std::clamp(int(double(y) / std::max(1, height()) * double(values_.size())), 0,
                      int(values_.size()) - 1);
}

void SliceStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(30, 30, 30));
    const int n = int(values_.size());
    for (int k = 0; k < n; ++k) {
        const int y0 = k * height() / n, y1 = std::max(y0 + 1, (k + 1) * height() / n);
        const float v = values_[std::size_t(k)];
        if (v < 0) { // outside the model's training data: not assessed, never flagged
            p.fillRect(QRect(2, y0, width() - 4, y1 - y0),
                       QBrush(QColor(110, 110, 110), Qt::BDiagPattern));
            continue;
        }
        const auto c = heatColor(v);
        p.fillRect(QRect(2, y0, width() - 4, y1 - y0), QColor(c[0], c[1], c[2]));
    }
    if (n > 0) {
        const int y = (current_ * height() + height() / 2) / n;
        p.setPen(QPen(Qt::white, 2));
        p.drawLine(0, y, width(), y);
    }
}

void SliceStrip::mousePressEvent(QMouseEvent* e) {
    const int k = sliceAt(int(e->position().y()));
    if (k >= 0)
        Q_EMIT sliceClicked(k);
}

} // namespace spinelens::ui
