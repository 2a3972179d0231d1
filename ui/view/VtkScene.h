#pragma once
// The VTK objects behind an ImageView. GUI thread only.
#include <vtkCamera.h>
#include <vtkCornerAnnotation.h>
#include <vtkFloatArray.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkImageData.h>
#include <vtkImageProperty.h>
#include <vtkImageSlice.h>
#include <vtkImageSliceMapper.h>
#include <vtkLookupTable.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkRenderer.h>
#include <vtkTextProperty.h>

namespace spinelens::ui {

struct VtkScene {
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    vtkNew<vtkImageData> image;
    vtkNew<vtkImageSliceMapper> mapper;
    vtkNew<vtkImageSlice> slice;
    vtkNew<vtkLookupTable> invertedGrey; ///< MONOCHROME1: low values white
    /// The file's own VOI curve (VOI LUT, SIGMOID, LINEAR_EXACT), sampled: a linear colour
    /// window cannot draw it.
    vtkNew<vtkLookupTable> fileVoi;
    vtkNew<vtkCornerAnnotation> corners;
    // The AI heatmap: RGBA (colour scale, alpha = evidence) over the image.
    vtkNew<vtkImageData> overlayImage;
    vtkNew<vtkImageSliceMapper> overlayMapper;
    vtkNew<vtkImageSlice> overlay;
};

} // namespace spinelens::ui
