#include "dicom/GdcmFallback.h"

#include "Error.h"

#include <itkGDCMImageIO.h>
#include <itkImageFileReader.h>
#include <itkVectorImage.h>

#include <gdcmTrace.h>

#include <mutex>

namespace spinelens::dicom {

DecodedFrames decodeWithGdcm(const std::string& path, float* destination, std::size_t capacity) {
    static std::once_flag quiet;
    std::call_once(quiet, [] {
        // GDCM and ITK print warnings to stderr for many harmless oddities; we report
        // failures ourselves, once, naming the file.
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
        gdcm::Trace::SetDebug(false);
        itk::Object::GlobalWarningDisplayOff();
    });
    using ImageType = itk::VectorImage<float, 3>;
    auto io = itk::GDCMImageIO::New();
    auto reader = itk::ImageFileReader<ImageType>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    try {
        reader->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(
            std::string("GDCM could not decode the pixel data (") + e.GetDescription() + ")", path);
    }
    ImageType* image = reader->GetOutput();
    const auto size = image->GetLargestPossibleRegion().GetSize();
    const unsigned components = image->GetNumberOfComponentsPerPixel();
    if (components != 1 && components != 3)
        throw Error("unsupported number of samples per pixel (" + std::to_string(components) + ")",
                    path);
    DecodedFrames out;
    out.columns = int(size[0]);
    out.rows = int(size[1]);
    out.frames = int(size[2]);
    out.decoder = "gdcm";
    const std::size_t n = std::size_t(size[0]) * size[1] * size[2];
    float* dst = destination;
    if (destination && capacity == n) {
        out.destination = destination;
    } else {
        out.pixels.resize(n);
        dst = out.pixels.data();
    }
    const float* in = image->GetBufferPointer();
    if (components == 1) {
        std::copy(in, in + n, dst);
    } else {
        for (std::size_t i = 0; i < n; ++i)
            dst[i] = luminance(in[3 * i], in[3 * i + 1], in[3 * i + 2]);
    }
    return out;
}

} // namespace spinelens::dicom
