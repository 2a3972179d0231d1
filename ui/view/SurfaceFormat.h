#pragma once
#include <QSurfaceFormat>

namespace spinelens::ui {

/// What VTK's OpenGL2 backend needs from every Qt OpenGL context (core profile 3.2,
/// depth and stencil buffers, no multisampling). Call before constructing QApplication.
inline void setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 2);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setSamples(0);
    QSurfaceFormat::setDefaultFormat(format);
}

} // namespace spinelens::ui
