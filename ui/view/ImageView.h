#pragma once
// The 2D radiology view: a Qt 6 widget hosting a VTK render window in a native OpenGL window
// (RenderSurface; Debian's VTK Qt module is Qt 5, so we host vtkGenericOpenGLRenderWindow
// ourselves and map Qt input to view actions). Shows one slice of a Volume with window/level,
// aspect from pixel spacing, corner text, orientation letters and measurements.
#include "dicom/SeriesInfo.h"
#include "image/Measurement.h"
#include "image/Volume.h"
#include "image/WindowLevel.h"

#include <QPointF>
#include <QWidget>

#include <memory>
#include <vector>

namespace spinelens::ui {

class MeasurementOverlay;
class RenderSurface;
struct VtkScene;

class ImageView : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY(ImageView)
public:
    enum class Tool { Navigate, Distance, Angle };

    explicit ImageView(QWidget* parent = nullptr);
    ~ImageView() override;

    /// Shows a series whose slices may still be loading; call markSliceLoaded as they land.
    void setSeries(std::shared_ptr<const Volume> volume, const SeriesInfo& info,
                   int initialSlice = 0);
    void clear();
    bool hasImage() const { return volume_ != nullptr; }
    void markSliceLoaded(int slice);
    bool isSliceLoaded(int slice) const {
        return slice >= 0 && slice < int(loaded_.size()) && loaded_[std::size_t(slice)];
    }

    int sliceIndex() const { return slice_; }
    int sliceCount() const { return volume_ ? volume_->depth : 0; }
    void setSliceIndex(int slice);

    Window windowLevel() const { return window_; }
    /// True while the file's own VOI LUT / SIGMOID / LINEAR_EXACT curve is on screen.
    bool showsFileVoiCurve() const { return fileCurveShown_; }
    void setWindow(const Window& window);
    /// Preset, or the histogram of the slice in view for automatic ones.
    void applyPreset(const WindowPreset& preset);
    /// Back to the file's window (or automatic when the file has none).
    void resetWindow();

    double zoom() const; ///< 1.0 = image fits the view
    void setZoom(double zoom);
    void fitToWindow();
    /// Fit, default window, no pan.
    void resetView();

    Tool tool() const { return tool_; }
    void setTool(Tool tool);
    void clearMeasurements();
    /// Measurements on every slice, in image millimetres (pixels when spacing is unknown).
    std::vector<Measurement> measurements() const;

    /// Widget pixel -> image plane point (mm from the first pixel's centre), and back.
    Point2 widgetToImage(const QPointF& p) const;
    QPointF imageToWidget(const Point2& p) const;

    /// The AI heatmap for one slice: values in [0, 1], width * height of the image. Shown
    /// while that slice is in view and the overlay is visible.
    void setHeatmap(int slice, const std::vector<float>& values);
    void clearHeatmap();
    void setHeatmapOpacity(float opacity);
    void setHeatmapVisible(bool visible);
    bool heatmapVisible() const { return heatmapVisible_; }
    bool heatmapShown() const; ///< visible, present, and for the slice in view
    /// A mark drawn with the heatmap while it is shown (e.g. that it is out-of-domain output).
    void setHeatmapNote(const QString& note);

    /// Text drawn in a corner or edge (vtkCornerAnnotation positions: 0 lower left,
    /// 1 lower right, 2 upper left, 3 upper right, 4-7 bottom, right, left, top edge).
    QString cornerText(int position) const;

    /// Called by RenderSurface with its OpenGL context current.
    void initializeRendering();
    void resizeRendering(int w, int h);
    void render();

    /// What is on screen now, as the user sees it.
    /// The view as drawn; without patient identity, the corner text leaves out the patient's
    /// name and ID, the study date and description (the view itself is unchanged after).
    QImage screenshot(bool withPatientIdentity = true);

Q_SIGNALS:
    void sliceChanged(int slice, int count);
    void windowChanged(double center, double width);
    void zoomChanged(double zoom);
    /// A measurement was completed on `slice` (the overlay draws it; sessions record it).
    void measurementAdded(int slice, const spinelens::Measurement& measurement);
    /// The H key toggled the heatmap.
    void heatmapToggled(bool visible);

protected:
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;

private:
    void uploadSlice();
    /// Schedules a redraw of the render surface.
    void requestRender();
    void updateCornerText();
    void pan(const QPointF& deltaPixels);
    double fitScale() const;

    std::unique_ptr<VtkScene> scene_;
    RenderSurface* surface_ = nullptr; ///< owned by the window container (a child widget)
    std::unique_ptr<MeasurementOverlay> overlay_;
    std::shared_ptr<const Volume> volume_;
    SeriesInfo info_;
    std::vector<char> loaded_;
    int slice_ = 0;
    Window window_;
    Window fileWindow_;
    /// The file's non-linear VOI is on screen (until the user changes the window).
    bool fileCurveShown_ = false;
    void showFileVoiCurve();
    void useLinearWindow();
    Tool tool_ = Tool::Navigate;
    enum class Drag { None, Window, Pan, Zoom } drag_ = Drag::None;
    QPointF dragStart_;
    QPointF lastMouse_;
    Window dragStartWindow_;
    std::vector<Point2> pendingPoints_;
    int heatmapSlice_ = -1;
    bool heatmapVisible_ = true;
    QString heatmapNote_;
    bool hideIdentity_ = false; ///< only while an anonymous screenshot is drawn
};

} // namespace spinelens::ui
