#pragma once
// Pieces the viewer window and the run browser share.
#include <QImage>
#include <QString>

class QWidget;

namespace spinelens::ui {

class ImageView;

/// A warning box that does not block: the window keeps working (and taking input) behind it.
void showNonModalWarning(QWidget* parent, const QString& title, const QString& message);

/// Asks for an evaluation run file; empty when the user cancels.
QString chooseRunFile(QWidget* parent);

/// The window as the user sees it. QWidget::grab() leaves an ImageView blank (it is a native
/// OpenGL window), so the view's own framebuffer is painted in.
QImage grabWindowWithView(QWidget* window, ImageView* view);

} // namespace spinelens::ui
