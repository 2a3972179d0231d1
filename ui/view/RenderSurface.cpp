#include "view/RenderSurface.h"

#include "view/ImageView.h"

#include <QCoreApplication>
#include <QDropEvent>

namespace spinelens::ui {

RenderSurface::RenderSurface(ImageView* view) : QOpenGLWindow(NoPartialUpdate), view_(view) {}

void RenderSurface::initializeGL() {
    view_->initializeRendering();
}
void RenderSurface::resizeGL(int w, int h) {
    view_->resizeRendering(w, h);
}
void RenderSurface::paintGL() {
    view_->render();
}

bool RenderSurface::event(QEvent* e) {
    switch (e->type()) {
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonRelease:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
        // Same coordinates: the container fills the view exactly.
        return QCoreApplication::sendEvent(view_, e);
    case QEvent::DragEnter:
    case QEvent::DragMove:
    case QEvent::Drop:
        // Files dropped on the image open like files dropped anywhere on the main window.
        return QCoreApplication::sendEvent(view_->topLevelWidget(), e);
    default:
        return QOpenGLWindow::event(e);
    }
}

} // namespace spinelens::ui
