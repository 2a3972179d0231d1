#include "view/MeasurementOverlay.h"

#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyLine.h>
#include <vtkProperty.h>
#include <vtkTextProperty.h>

namespace spinelens::ui {
namespace {

// Overlays sit slightly towards the camera (which looks along +z from negative z).
constexpr double kOverlayZ = -1.0;

vtkSmartPointer<vtkActor> makePolyline(const std::vector<Point2>& pts, bool dashed) {
    vtkNew<vtkPoints> points;
    for (const auto& p : pts)
        points->InsertNextPoint(p[0], p[1], kOverlayZ);
    vtkNew<vtkCellArray> lines;
    lines->InsertNextCell(vtkIdType(pts.size()));
    for (vtkIdType i = 0; i < vtkIdType(pts.size()); ++i)
        lines->InsertCellPoint(i);
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetLines(lines);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(poly);
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetColor(1.0, 0.85, 0.1);
    actor->GetProperty()->SetLineWidth(2.0);
    actor->GetProperty()->SetLighting(false);
    if (dashed) {
        actor->GetProperty()->SetLineStipplePattern(0xf0f0);
        actor->GetProperty()->SetOpacity(0.8);
    }
    return actor;
}

} // namespace

MeasurementOverlay::MeasurementOverlay(vtkRenderer* renderer) : renderer_(renderer) {}

MeasurementOverlay::~MeasurementOverlay() = default;

void MeasurementOverlay::add(int slice, const Measurement& m) {
    Item item{slice, m, nullptr, nullptr};
    const int n = m.kind == Measurement::Kind::Angle ? 3 : 2;
    std::vector<Point2> pts(m.points.begin(), m.points.begin() + n);
    item.line = makePolyline(pts, false);
    item.label = vtkSmartPointer<vtkTextActor>::New();
    item.label->SetInput(m.label().c_str());
    item.label->GetTextProperty()->SetColor(1.0, 0.85, 0.1);
    item.label->GetTextProperty()->SetFontSize(16);
    item.label->GetTextProperty()->SetBold(true);
    item.label->GetTextProperty()->SetShadow(true);
    const Point2 anchor = m.kind == Measurement::Kind::Angle ? m.points[1] : m.points[1];
    item.label->GetPositionCoordinate()->SetCoordinateSystemToWorld();
    item.label->GetPositionCoordinate()->SetValue(anchor[0], anchor[1], kOverlayZ);
    renderer_->AddActor(item.line);
    renderer_->AddActor2D(item.label);
    items_.push_back(item);
    showSlice(visibleSlice_);
}

void MeasurementOverlay::clear() {
    for (auto& item : items_) {
        renderer_->RemoveActor(item.line);
        renderer_->RemoveActor2D(item.label);
    }
    items_.clear();
    setPreview({});
}

void MeasurementOverlay::showSlice(int slice) {
    visibleSlice_ = slice;
    for (auto& item : items_) {
        item.line->SetVisibility(item.slice == slice);
        item.label->SetVisibility(item.slice == slice);
    }
}

void MeasurementOverlay::setPreview(const std::vector<Point2>& points) {
    if (preview_) {
        renderer_->RemoveActor(preview_);
        preview_ = nullptr;
    }
    if (points.size() < 2)
        return;
    preview_ = makePolyline(points, true);
    renderer_->AddActor(preview_);
}

std::vector<Measurement> MeasurementOverlay::all() const {
    std::vector<Measurement> out;
    for (const auto& item : items_)
        out.push_back(item.measurement);
    return out;
}

} // namespace spinelens::ui
