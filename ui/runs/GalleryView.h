#pragma once
// The case gallery: a grid of thumbnails with the true and predicted class, the confidence, a
// red or green edge for wrong or right, and a marker on reviewed cases.
#include <QListView>

namespace spinelens::ui {

class GalleryView : public QListView {
    Q_OBJECT
public:
    explicit GalleryView(QWidget* parent = nullptr);
    static QSize tileSize();
};

} // namespace spinelens::ui
