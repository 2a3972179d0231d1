#pragma once
// One case of a run in full: the image in the viewer (window/level, zoom, pan, measuring), the
// Grad-CAM map of the predicted class beside the one of the true class, every probability, and
// the review panel. The image is decoded on a worker; a newer case replaces a pending one.
#include "util/LatestWork.h"

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <vector>

class QComboBox;
class QLabel;

namespace spinelens::ui {

class ImageView;
class ReviewPanel;
class RunSession;

class CaseView : public QWidget {
    Q_OBJECT
public:
    CaseView(RunSession* session, QWidget* parent = nullptr);
    ~CaseView() override;

    void showCase(int caseIndex); ///< -1 clears
    int caseIndex() const { return case_; }
    bool isLoading() const { return loading_; }

    ImageView* imageView() const { return view_; }
    ReviewPanel* reviewPanel() const { return review_; }
    QLabel* headerLabel() const { return header_; }
    QLabel* probabilitiesLabel() const { return probabilities_; }
    QImage predictedMapImage() const { return predictedImage_; }
    QImage trueMapImage() const { return trueImage_; }
    /// Which map the viewer overlays: 0 predicted class, 1 true class, 2 none.
    void setOverlay(int choice);

Q_SIGNALS:
    /// The case's image and maps are on screen (or its problem is).
    void caseShown(int caseIndex);

private:
    struct Loaded;
    void onLoaded(const std::shared_ptr<Loaded>& loaded);
    void applyOverlay();

    RunSession* session_;
    int case_ = -1;
    LatestWork loadingCase_{this, WorkPriority::Interactive}; ///< the user moved on: dropped
    bool loading_ = false;
    QLabel* header_;
    ImageView* view_;
    QLabel* message_;
    QLabel* predictedMap_;
    QLabel* trueMap_;
    QLabel* predictedCaption_;
    QLabel* trueCaption_;
    QLabel* probabilities_;
    QComboBox* overlay_;
    ReviewPanel* review_;
    QImage predictedImage_, trueImage_;
    int caseSlice_ = 0; ///< where the case image (the file's first frame) is in the view
    std::vector<float> predictedOverlay_, trueOverlay_;
};

} // namespace spinelens::ui
