#pragma once
// Writes a volume for researchers' own tools: .nii.gz / .nii / .nrrd / .mha through ITK's
// writers, in modality values and display slice order, with the series geometry.
#include "image/Volume.h"

#include <string>

namespace spinelens {

/// True when the extension is one exportVolume writes.
bool isVolumeExportPath(const std::string& path);

/// Stores integral values that fit as int16 (CT, most MR) and everything else as float32.
/// Throws spinelens::Error naming the output path on failure.
void exportVolume(const Volume& volume, const std::string& path);

} // namespace spinelens
