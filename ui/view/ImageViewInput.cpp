// ImageView's mouse and keyboard handling: the habits of other radiology viewers (right-drag
// window/level, wheel scroll, arrow and page keys, measurement clicks).
#include "view/ImageView.h"

#include "view/MeasurementOverlay.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace spinelens::ui {

// ---- input -----------------------------------------------------------------------------

void ImageView::mousePressEvent(QMouseEvent* e) {
    setFocus();
    lastMouse_ = dragStart_ = e->position();
    dragStartWindow_ = window_;
    if (!volume_)
        return;
    if (e->button() == Qt::RightButton) {
        drag_ = Drag::Window;
    } else if (e->button() == Qt::MiddleButton) {
        drag_ = Drag::Pan;
    } else if (e->button() == Qt::LeftButton) {
        if (e->modifiers() & Qt::ControlModifier) {
            drag_ = Drag::Zoom;
        } else if (tool_ == Tool::Navigate) {
            drag_ = Drag::Pan;
        } else {
            pendingPoints_.push_back(widgetToImage(e->position()));
            const std::size_t needed = tool_ == Tool::Distance ? 2 : 3;
            if (pendingPoints_.size() == needed) {
                const Measurement m =
                    tool_ == Tool::Distance
                        ? measureDistance(pendingPoints_[0], pendingPoints_[1],
                                          volume_->geometry.spacingKnown)
                        : measureAngle(pendingPoints_[0], pendingPoints_[1], pendingPoints_[2]);
                overlay_->add(slice_, m);
                pendingPoints_.clear();
                overlay_->setPreview({});
                Q_EMIT measurementAdded(slice_, m);
            }
            requestRender();
        }
    }
}

void ImageView::mouseMoveEvent(QMouseEvent* e) {
    const QPointF delta = e->position() - lastMouse_;
    lastMouse_ = e->position();
    if (!volume_)
        return;
    switch (drag_) {
    case Drag::Window: {
        // Right-drag: horizontal = width, vertical = level, scaled to the starting width so
        // the feel is the same for 8-bit X-rays and 16-bit CT.
        const QPointF total = e->position() - dragStart_;
        const double step = std::max(1.0, dragStartWindow_.width) / 256.0;
        setWindow({dragStartWindow_.center + total.y() * step,
                   std::max(1.0, dragStartWindow_.width + total.x() * step)});
        break;
    }
    case Drag::Pan:
        pan(delta);
        break;
    case Drag::Zoom:
        setZoom(zoom() * std::exp(-delta.y() * 0.01));
        break;
    case Drag::None:
        if (!pendingPoints_.empty()) {
            std::vector<Point2> preview = pendingPoints_;
            preview.push_back(widgetToImage(e->position()));
            overlay_->setPreview(preview);
            requestRender();
        }
        break;
    }
}

void ImageView::mouseReleaseEvent(QMouseEvent*) {
    drag_ = Drag::None;
}

void ImageView::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton && tool_ == Tool::Navigate)
        fitToWindow();
    else if (e->button() == Qt::RightButton)
        resetWindow();
}

void ImageView::wheelEvent(QWheelEvent* e) {
    const int steps = e->angleDelta().y() / 120;
    if (steps == 0)
        return;
    if (e->modifiers() & Qt::ControlModifier)
        setZoom(zoom() * std::pow(1.15, steps));
    else
        setSliceIndex(slice_ - steps); // wheel away from you = towards the first slice
    e->accept();
}

void ImageView::keyPressEvent(QKeyEvent* e) {
    const auto& presets = windowPresets();
    switch (e->key()) {
    case Qt::Key_Up:
    case Qt::Key_Left:
        setSliceIndex(slice_ - 1);
        break;
    case Qt::Key_Down:
    case Qt::Key_Right:
        setSliceIndex(slice_ + 1);
        break;
    case Qt::Key_PageUp:
        setSliceIndex(slice_ - std::max(1, sliceCount() / 10));
        break;
    case Qt::Key_PageDown:
        setSliceIndex(slice_ + std::max(1, sliceCount() / 10));
        break;
    case Qt::Key_Home:
        setSliceIndex(0);
        break;
    case Qt::Key_End:
        setSliceIndex(sliceCount() - 1);
        break;
    case Qt::Key_F:
        fitToWindow();
        break;
    case Qt::Key_R:
        resetView();
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        setZoom(zoom() * 1.25);
        break;
    case Qt::Key_Minus:
        setZoom(zoom() / 1.25);
        break;
    case Qt::Key_D:
        setTool(Tool::Distance);
        break;
    case Qt::Key_H:
        setHeatmapVisible(!heatmapVisible_);
        Q_EMIT heatmapToggled(heatmapVisible_);
        break;
    case Qt::Key_A:
        setTool(Tool::Angle);
        break;
    case Qt::Key_Escape:
    case Qt::Key_N:
        setTool(Tool::Navigate);
        break;
    case Qt::Key_0:
        resetWindow();
        break;
    case Qt::Key_1:
    case Qt::Key_2:
    case Qt::Key_3:
    case Qt::Key_4: {
        const std::size_t i = std::size_t(e->key() - Qt::Key_1);
        if (i < presets.size())
            applyPreset(presets[i]);
        break;
    }
    default:
        QWidget::keyPressEvent(e);
        return;
    }
    e->accept();
}

} // namespace spinelens::ui
