#include "view/ImageView.h"

#include "image/Colormap.h"
#include "image/Orientation.h"
#include "view/MeasurementOverlay.h"
#include "view/RenderSurface.h"
#include "view/VtkScene.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <vtkOpenGLState.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace spinelens::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent), scene_(std::make_unique<VtkScene>()) {
    surface_ = new RenderSurface(this);
    QWidget* container = QWidget::createWindowContainer(surface_, this);
    container->setFocusPolicy(Qt::NoFocus);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(container);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(200, 200);
    VtkScene& s = *scene_;
    s.window->AddRenderer(s.renderer);
    s.renderer->SetBackground(0, 0, 0);
    s.renderer->SetBackgroundAlpha(1.0); // opaque: screenshots must not come out transparent
    s.mapper->SetInputData(s.image);
    s.slice->SetMapper(s.mapper);
    s.slice->GetProperty()->SetInterpolationTypeToLinear();
    s.renderer->AddViewProp(s.slice);
    s.slice->SetVisibility(false);

    s.invertedGrey->SetNumberOfTableValues(256);
    for (int i = 0; i < 256; ++i) {
        const double v = 1.0 - i / 255.0;
        s.invertedGrey->SetTableValue(i, v, v, v, 1.0);
    }
    s.invertedGrey->Build();

    s.corners->SetMaximumFontSize(15);
    s.corners->SetMinimumFontSize(9);
    s.corners->GetTextProperty()->SetColor(0.9, 0.9, 0.75);
    s.corners->GetTextProperty()->SetShadow(true);
    s.renderer->AddViewProp(s.corners);

    vtkCamera* cam = s.renderer->GetActiveCamera();
    cam->ParallelProjectionOn();
    // Rows go down the screen as in every radiology viewer: look along +z with -y up.
    cam->SetViewUp(0, -1, 0);
    overlay_ = std::make_unique<MeasurementOverlay>(s.renderer);

    s.overlayMapper->SetInputData(s.overlayImage);
    s.overlay->SetMapper(s.overlayMapper);
    s.overlay->GetProperty()->SetInterpolationTypeToLinear();
    s.overlay->GetProperty()->SetOpacity(0.6);
    s.overlay->SetPosition(0, 0, -0.5); // between the image (z = 0) and the measurements
    s.overlay->SetVisibility(false);
    s.renderer->AddViewProp(s.overlay);
}

ImageView::~ImageView() {
    surface_->makeCurrent();
    overlay_.reset();
    scene_.reset();
    surface_->doneCurrent();
}

void ImageView::requestRender() {
    surface_->update();
}

void ImageView::initializeRendering() {
    vtkGenericOpenGLRenderWindow* w = scene_->window;
    w->SetOwnContext(false);
    w->SetFrameBlitModeToBlitToCurrent();
    w->SetIsCurrent(true);
    w->SetReadyForRendering(false);
    w->SetMultiSamples(0);
    w->OpenGLInitContext();
    const double dpr = devicePixelRatioF();
    w->SetSize(int(width() * dpr), int(height() * dpr));
}

void ImageView::resizeRendering(int w, int h) {
    const double dpr = devicePixelRatioF();
    const double oldZoom = zoom();
    scene_->window->SetSize(int(w * dpr), int(h * dpr));
    if (volume_)
        setZoom(oldZoom); // keep the zoom factor relative to the new fit
}

void ImageView::render() {
    vtkGenericOpenGLRenderWindow* w = scene_->window;
    vtkOpenGLState* state = w->GetState();
    state->Reset();
    state->Push();
    state->vtkglDepthFunc(GL_LEQUAL); // Qt leaves GL_LESS; VTK expects LEQUAL
    w->SetReadyForRendering(true);
    w->Render();
    w->SetReadyForRendering(false);
    state->Pop();
}

void ImageView::setSeries(std::shared_ptr<const Volume> volume, const SeriesInfo& info,
                          int initialSlice) {
    volume_ = std::move(volume);
    info_ = info;
    loaded_.assign(std::size_t(volume_->depth), 0);
    overlay_->clear();
    pendingPoints_.clear();
    heatmapSlice_ = -1;
    scene_->overlay->SetVisibility(false);
    slice_ = std::clamp(initialSlice, 0, volume_->depth - 1);
    VtkScene& s = *scene_;
    const Geometry& g = volume_->geometry;
    s.image->SetDimensions(volume_->width, volume_->height, 1);
    s.image->SetSpacing(g.spacing[0], g.spacing[1], 1.0);
    s.image->SetOrigin(0, 0, 0);
    s.image->AllocateScalars(VTK_FLOAT, 1);
    fileCurveShown_ = true; // so that useLinearWindow sets the grey table for this series
    useLinearWindow();
    s.slice->SetVisibility(true);
    fileWindow_ = info.display.hasWindow
                      ? Window{info.display.windowCenter, info.display.windowWidth}
                      : Window{0.0, 0.0};
    uploadSlice();
    resetView();
    Q_EMIT sliceChanged(slice_, sliceCount());
}

void ImageView::setHeatmap(int slice, const std::vector<float>& values) {
    if (!volume_ || values.size() != volume_->sliceSize())
        return;
    VtkScene& s = *scene_;
    s.overlayImage->SetDimensions(volume_->width, volume_->height, 1);
    s.overlayImage->SetSpacing(volume_->geometry.spacing[0], volume_->geometry.spacing[1], 1.0);
    s.overlayImage->SetOrigin(0, 0, 0);
    s.overlayImage->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
    auto* rgba = static_cast<unsigned char*>(s.overlayImage->GetScalarPointer());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto c = heatColor(values[i]);
        rgba[4 * i] = c[0];
        rgba[4 * i + 1] = c[1];
        rgba[4 * i + 2] = c[2];
        rgba[4 * i + 3] = static_cast<unsigned char>(std::lround(heatAlpha(values[i]) * 255.0f));
    }
    s.overlayImage->Modified();
    heatmapSlice_ = slice;
    s.overlay->SetVisibility(heatmapShown());
    updateCornerText();
    requestRender();
}

void ImageView::setHeatmapNote(const QString& note) {
    if (note == heatmapNote_)
        return;
    heatmapNote_ = note;
    updateCornerText();
    requestRender();
}

void ImageView::clearHeatmap() {
    heatmapSlice_ = -1;
    scene_->overlay->SetVisibility(false);
    updateCornerText();
    requestRender();
}

void ImageView::setHeatmapOpacity(float opacity) {
    scene_->overlay->GetProperty()->SetOpacity(std::clamp(double(opacity), 0.0, 1.0));
    requestRender();
}

void ImageView::setHeatmapVisible(bool visible) {
    heatmapVisible_ = visible;
    scene_->overlay->SetVisibility(heatmapShown());
    updateCornerText();
    requestRender();
}

bool ImageView::heatmapShown() const {
    return heatmapVisible_ && heatmapSlice_ >= 0 && heatmapSlice_ == slice_;
}

void ImageView::clear() {
    volume_.reset();
    clearHeatmap();
    loaded_.clear();
    overlay_->clear();
    scene_->slice->SetVisibility(false);
    scene_->corners->ClearAllTexts();
    requestRender();
}

void ImageView::markSliceLoaded(int slice) {
    if (!volume_ || slice < 0 || slice >= int(loaded_.size()))
        return;
    loaded_[std::size_t(slice)] = 1;
    if (slice == slice_) {
        const bool firstTime = fileWindow_.width <= 0 && window_.width <= 1.0 && !fileCurveShown_;
        uploadSlice();
        if (firstTime)
            resetWindow(); // automatic window needs pixels
        updateCornerText();
        requestRender();
    }
}

void ImageView::setSliceIndex(int slice) {
    if (!volume_)
        return;
    slice = std::clamp(slice, 0, volume_->depth - 1);
    if (slice == slice_)
        return;
    slice_ = slice;
    pendingPoints_.clear();
    overlay_->setPreview({});
    overlay_->showSlice(slice_);
    scene_->overlay->SetVisibility(heatmapShown());
    uploadSlice();
    updateCornerText();
    requestRender();
    Q_EMIT sliceChanged(slice_, sliceCount());
}

void ImageView::uploadSlice() {
    if (!volume_)
        return;
    auto* dst = static_cast<float*>(scene_->image->GetScalarPointer());
    if (loaded_[std::size_t(slice_)]) {
        std::memcpy(dst, volume_->slice(slice_), volume_->sliceSize() * sizeof(float));
    } else {
        // Not decoded yet: show black rather than stale pixels of another slice.
        std::fill(dst, dst + volume_->sliceSize(), float(window_.center - window_.width));
    }
    scene_->image->Modified();
}

void ImageView::useLinearWindow() {
    if (!fileCurveShown_)
        return;
    fileCurveShown_ = false;
    vtkImageProperty* p = scene_->slice->GetProperty();
    p->SetLookupTable(info_.display.invert ? scene_->invertedGrey.Get() : nullptr);
    p->SetUseLookupTableScalarRange(false);
}

void ImageView::showFileVoiCurve() {
    const DisplayDefaults& d = info_.display;
    // The modality values the curve changes over; outside them the table's end entries hold.
    double lo = 0, hi = 1;
    int entries = 4096;
    if (d.hasLut()) {
        entries = int(std::min<std::size_t>(d.lut->data.size(), 65536));
        lo = d.lut->firstMapped - 0.5;
        hi = d.lut->firstMapped + entries - 0.5;
    } else {
        const double c = d.windowCenter, w = d.windowWidth;
        const double reach = d.function == VoiFunction::Sigmoid ? 2.5 * w : 0.5 * w + 1.0;
        lo = c - reach;
        hi = c + reach;
    }
    std::vector<float> x(static_cast<std::size_t>(entries));
    for (int i = 0; i < entries; ++i)
        x[std::size_t(i)] = float(lo + (i + 0.5) * (hi - lo) / entries);
    std::vector<std::uint8_t> grey(x.size());
    applyFileVoi(x.data(), x.size(), d, Window{0.0, 1.0}, grey.data());
    vtkLookupTable* t = scene_->fileVoi;
    t->SetNumberOfTableValues(entries);
    for (int i = 0; i < entries; ++i) {
        const double v = grey[std::size_t(i)] / 255.0;
        t->SetTableValue(i, v, v, v, 1.0);
    }
    t->SetTableRange(lo, hi);
    t->Build();
    vtkImageProperty* p = scene_->slice->GetProperty();
    p->SetLookupTable(t);
    p->SetUseLookupTableScalarRange(true);
    fileCurveShown_ = true;
    // Dragging from here starts a linear window close to what is shown.
    window_ = d.hasLut() ? Window{(lo + hi) / 2.0, hi - lo} : Window{d.windowCenter, d.windowWidth};
    updateCornerText();
    requestRender();
    Q_EMIT windowChanged(window_.center, window_.width);
}

void ImageView::setWindow(const Window& w) {
    useLinearWindow(); // the user's window replaces the file's curve
    window_ = {w.center, std::max(1e-3, w.width)};
    scene_->slice->GetProperty()->SetColorWindow(window_.width);
    scene_->slice->GetProperty()->SetColorLevel(window_.center);
    updateCornerText();
    requestRender();
    Q_EMIT windowChanged(window_.center, window_.width);
}

void ImageView::applyPreset(const WindowPreset& preset) {
    if (!volume_)
        return;
    if (preset.automatic)
        setWindow(autoWindow(volume_->slice(slice_), volume_->sliceSize()));
    else
        setWindow(preset.window);
}

void ImageView::resetWindow() {
    if (!volume_)
        return;
    if (info_.display.hasNonLinearVoi())
        showFileVoiCurve();
    else if (fileWindow_.width > 0)
        setWindow(fileWindow_);
    else if (!isSliceLoaded(slice_))
        // The automatic window needs the slice's pixels (the buffer holds garbage until they
        // land): a unit window now tells markSliceLoaded to compute it then.
        setWindow({0.0, 1.0});
    else
        setWindow(autoWindow(volume_->slice(slice_), volume_->sliceSize()));
}

double ImageView::fitScale() const {
    if (!volume_)
        return 1.0;
    const double w = volume_->width * volume_->geometry.spacing[0];
    const double h = volume_->height * volume_->geometry.spacing[1];
    const double aspect = double(std::max(1, width())) / std::max(1, height());
    return std::max(h / 2.0, w / 2.0 / aspect) * 1.02;
}

double ImageView::zoom() const {
    return fitScale() / scene_->renderer->GetActiveCamera()->GetParallelScale();
}

void ImageView::setZoom(double z) {
    z = std::clamp(z, 0.05, 50.0);
    scene_->renderer->GetActiveCamera()->SetParallelScale(fitScale() / z);
    updateCornerText();
    requestRender();
    Q_EMIT zoomChanged(z);
}

void ImageView::fitToWindow() {
    if (!volume_)
        return;
    vtkCamera* cam = scene_->renderer->GetActiveCamera();
    const Geometry& g = volume_->geometry;
    const double cx = (volume_->width - 1) * g.spacing[0] / 2.0;
    const double cy = (volume_->height - 1) * g.spacing[1] / 2.0;
    cam->SetFocalPoint(cx, cy, 0.0);
    cam->SetPosition(cx, cy, -1000.0);
    cam->SetViewUp(0, -1, 0);
    cam->SetClippingRange(1.0, 2000.0);
    setZoom(1.0);
}

void ImageView::resetView() {
    resetWindow();
    fitToWindow();
}

void ImageView::pan(const QPointF& delta) {
    const Point2 a = widgetToImage(QPointF(0, 0));
    const Point2 b = widgetToImage(delta);
    vtkCamera* cam = scene_->renderer->GetActiveCamera();
    double f[3], p[3];
    cam->GetFocalPoint(f);
    cam->GetPosition(p);
    const double dx = a[0] - b[0], dy = a[1] - b[1];
    cam->SetFocalPoint(f[0] + dx, f[1] + dy, f[2]);
    cam->SetPosition(p[0] + dx, p[1] + dy, p[2]);
    requestRender();
}

Point2 ImageView::widgetToImage(const QPointF& p) const {
    // Direct from the camera: parallel projection, -y up, so no depth buffer is needed.
    vtkCamera* cam = scene_->renderer->GetActiveCamera();
    double f[3];
    cam->GetFocalPoint(f);
    const double unitsPerPixel = 2.0 * cam->GetParallelScale() / std::max(1, height());
    return {f[0] + (p.x() - width() / 2.0) * unitsPerPixel,
            f[1] + (p.y() - height() / 2.0) * unitsPerPixel};
}

QPointF ImageView::imageToWidget(const Point2& q) const {
    vtkCamera* cam = scene_->renderer->GetActiveCamera();
    double f[3];
    cam->GetFocalPoint(f);
    const double pixelsPerUnit = std::max(1, height()) / (2.0 * cam->GetParallelScale());
    return {width() / 2.0 + (q[0] - f[0]) * pixelsPerUnit,
            height() / 2.0 + (q[1] - f[1]) * pixelsPerUnit};
}

void ImageView::setTool(Tool tool) {
    tool_ = tool;
    pendingPoints_.clear();
    overlay_->setPreview({});
    setCursor(tool == Tool::Navigate ? Qt::ArrowCursor : Qt::CrossCursor);
    requestRender();
}

void ImageView::clearMeasurements() {
    overlay_->clear();
    pendingPoints_.clear();
    requestRender();
}

std::vector<Measurement> ImageView::measurements() const {
    return overlay_->all();
}

QString ImageView::cornerText(int position) const {
    const char* text = scene_->corners->GetText(position);
    return text ? QString::fromUtf8(text) : QString();
}

QImage ImageView::screenshot(bool withPatientIdentity) {
    if (withPatientIdentity)
        return surface_->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    // grabFramebuffer() reads what was drawn last: the view is drawn once more without the
    // identity, grabbed, and drawn as it was.
    hideIdentity_ = true;
    updateCornerText();
    surface_->makeCurrent();
    render();
    const QImage image = surface_->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    hideIdentity_ = false;
    updateCornerText();
    surface_->makeCurrent();
    render();
    surface_->doneCurrent();
    requestRender();
    return image;
}

void ImageView::updateCornerText() {
    vtkCornerAnnotation* c = scene_->corners;
    if (!volume_) {
        c->ClearAllTexts();
        return;
    }
    auto set = [c](int corner, const std::string& text) { c->SetText(corner, text.c_str()); };
    std::string patient = info_.patientName;
    for (char& ch : patient)
        if (ch == '^')
            ch = ' ';
    std::string upperLeft = patient;
    if (!info_.patientId.empty())
        upperLeft += "\nID " + info_.patientId;
    if (info_.studyDate.size() == 8 && std::all_of(info_.studyDate.begin(), info_.studyDate.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; }))
        upperLeft += "\n" + info_.studyDate.substr(0, 4) + "-" + info_.studyDate.substr(4, 2) +
                     "-" + info_.studyDate.substr(6, 2);
    if (!info_.studyDescription.empty())
        upperLeft += "\n" + info_.studyDescription;
    set(2, hideIdentity_ ? std::string("(patient identity left out)") : upperLeft);
    std::string upperRight = info_.modality;
    if (info_.kind == SourceKind::Dicom)
        upperRight += "  Se " + std::to_string(info_.seriesNumber);
    if (!info_.seriesDescription.empty())
        upperRight += "\n" + info_.seriesDescription;
    set(3, upperRight);

    char buf[256];
    const DisplayDefaults& d = info_.display;
    std::string windowText;
    if (fileCurveShown_ && d.hasLut()) {
        windowText = "VOI LUT (file)";
    } else {
        std::snprintf(buf, sizeof buf, "W %.0f  L %.0f%s", window_.width, window_.center,
                      !fileCurveShown_                     ? ""
                      : d.function == VoiFunction::Sigmoid ? "  SIGMOID"
                                                           : "  LINEAR_EXACT");
        windowText = buf;
    }
    std::snprintf(buf, sizeof buf, "Im %d/%d%s\n%s\nZoom %.2fx", slice_ + 1, volume_->depth,
                  loaded_[std::size_t(slice_)] ? "" : "  (loading…)", windowText.c_str(), zoom());
    std::string lowerLeft = buf;
    if (volume_->depth > 1 && volume_->geometry.directionKnown &&
        slice_ < int(info_.slices.size()) && info_.slices[std::size_t(slice_)].hasPosition) {
        std::snprintf(buf, sizeof buf, "\nLoc %.1f mm",
                      dot(info_.slices[std::size_t(slice_)].position, volume_->geometry.normal()));
        lowerLeft += buf;
    }
    set(0, lowerLeft);
    const Geometry& g = volume_->geometry;
    if (g.spacingKnown)
        std::snprintf(buf, sizeof buf, "%d x %d\n%.2f x %.2f mm", volume_->width, volume_->height,
                      g.spacing[0], g.spacing[1]);
    else
        std::snprintf(buf, sizeof buf, "%d x %d\nno pixel spacing: lengths in px", volume_->width,
                      volume_->height);
    std::string lowerRight = buf;
    if (heatmapShown() && !heatmapNote_.isEmpty())
        lowerRight = heatmapNote_.toStdString() + "\n" + lowerRight;
    set(1, lowerRight);
    const EdgeLetters letters = edgeLetters(g);
    set(4, letters.bottom);
    set(5, letters.right);
    set(6, letters.left);
    set(7, letters.top);
}

} // namespace spinelens::ui
