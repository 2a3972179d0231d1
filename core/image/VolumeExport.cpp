#include "image/VolumeExport.h"

#include "Error.h"

#include <itkImage.h>
#include <itkImageFileWriter.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <algorithm>
#include <cmath>
#include <mutex>

namespace spinelens {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                      [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

void registerWriters() {
    static std::once_flag once;
    std::call_once(once, [] {
        itk::NiftiImageIOFactory::RegisterOneFactory();
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::MetaImageIOFactory::RegisterOneFactory();
    });
}

template <typename T> void write(const Volume& v, const std::string& path) {
    using ImageType = itk::Image<T, 3>;
    auto image = ImageType::New();
    typename ImageType::RegionType region;
    region.SetSize(
        {{itk::SizeValueType(v.width), itk::SizeValueType(v.height), itk::SizeValueType(v.depth)}});
    image->SetRegions(region);
    const Geometry& g = v.geometry;
    image->SetSpacing(g.spacing.data());
    image->SetOrigin(g.origin.data());
    typename ImageType::DirectionType d;
    // ITK's direction columns are the axis directions; ours are rows.
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            d[r][c] = g.direction[std::size_t(c * 3 + r)];
    image->SetDirection(d);
    image->Allocate();
    T* out = image->GetBufferPointer();
    for (std::size_t i = 0; i < v.voxels.size(); ++i)
        out[i] = static_cast<T>(v.voxels[i]);
    auto writer = itk::ImageFileWriter<ImageType>::New();
    writer->SetInput(image);
    writer->SetFileName(path);
    writer->SetUseCompression(true);
    try {
        writer->Update();
    } catch (const itk::ExceptionObject& e) {
        throw Error(std::string("cannot write volume (") + e.GetDescription() + ")", path);
    }
}

} // namespace

bool isVolumeExportPath(const std::string& path) {
    return endsWith(path, ".nii.gz") || endsWith(path, ".nii") || endsWith(path, ".nrrd") ||
           endsWith(path, ".mha");
}

void exportVolume(const Volume& volume, const std::string& path) {
    if (!isVolumeExportPath(path))
        throw Error("unsupported output format (use .nii.gz, .nii, .nrrd, .mha or .png)", path);
    if (volume.empty())
        throw Error("nothing to write: the volume is empty", path);
    registerWriters();
    const bool fitsInt16 = std::all_of(volume.voxels.begin(), volume.voxels.end(), [](float x) {
        return std::isfinite(x) && x == std::floor(x) && x >= -32768.0f && x <= 32767.0f;
    });
    if (fitsInt16)
        write<short>(volume, path);
    else
        write<float>(volume, path);
}

} // namespace spinelens
