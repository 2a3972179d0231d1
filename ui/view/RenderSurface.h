#pragma once
// The native OpenGL window VTK draws into, embedded in ImageView with a window container.
// A QOpenGLWindow instead of a QOpenGLWidget: a QOpenGLWidget makes Qt composite the whole
// main window through OpenGL on every frame, which on software OpenGL (Mesa llvmpipe) costs
// as much as drawing the image. Input reaching this window is handed to the ImageView, so the
// view has one set of handlers whether events come from the window system or from tests.
#include <QOpenGLWindow>

namespace spinelens::ui {

class ImageView;

class RenderSurface : public QOpenGLWindow {
    Q_OBJECT
public:
    explicit RenderSurface(ImageView* view);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    bool event(QEvent* e) override;

private:
    ImageView* view_; ///< owns this surface through its window container
};

} // namespace spinelens::ui
