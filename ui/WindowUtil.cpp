#include "WindowUtil.h"

#include "view/ImageView.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QPainter>

namespace spinelens::ui {

void showNonModalWarning(QWidget* parent, const QString& title, const QString& message) {
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::NonModal);
    box->show();
}

QString chooseRunFile(QWidget* parent) {
    return QFileDialog::getOpenFileName(
        parent, QObject::tr("Open an evaluation run"), {},
        QObject::tr("SpineLens runs (*.sqlite *.db);;All files (*)"));
}

QImage grabWindowWithView(QWidget* window, ImageView* view) {
    QImage image = window->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QImage viewImage = view->screenshot();
    if (viewImage.isNull())
        return image;
    QPainter painter(&image);
    const QPoint at = view->mapTo(window, QPoint(0, 0)) * image.devicePixelRatio();
    viewImage.setDevicePixelRatio(1.0);
    painter.drawImage(at, viewImage);
    return image;
}

} // namespace spinelens::ui
