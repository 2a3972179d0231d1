#pragma once
// Distance and angle measurements drawn over the image: yellow polylines with a label, each
// bound to the slice it was drawn on, plus a dashed preview while points are being placed.
#include "image/Measurement.h"

#include <vtkActor.h>
#include <vtkNew.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>

#include <vector>

namespace spinelens::ui {

class MeasurementOverlay {
public:
    explicit MeasurementOverlay(vtkRenderer* renderer);
    ~MeasurementOverlay();

    void add(int slice, const Measurement& m);
    void clear();
    /// Shows only the measurements drawn on this slice.
    void showSlice(int slice);
    /// Rubber band through the placed points and the mouse; empty hides it.
    void setPreview(const std::vector<Point2>& points);
    std::vector<Measurement> all() const;

private:
    struct Item {
        int slice;
        Measurement measurement;
        vtkSmartPointer<vtkActor> line;
        vtkSmartPointer<vtkTextActor> label;
    };
    vtkRenderer* renderer_; ///< owned by the view's scene
    std::vector<Item> items_;
    vtkSmartPointer<vtkActor> preview_;
    int visibleSlice_ = 0;
};

} // namespace spinelens::ui
