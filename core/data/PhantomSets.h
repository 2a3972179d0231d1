#pragma once
// Whole labelled phantom data sets in the two studies' exact layouts, for training and tests
// without patient data: X-rays in class folders (the Kaggle spine-lesion set) and sagittal
// T2-like lumbar MRI series in the RSNA 2024 layout with its three CSVs. Deterministic for a
// seed; every file says SYNTHETIC in its metadata.
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens::phantom {

struct PhantomSetReport {
    std::string root;
    int images = 0;
    std::vector<std::string> classes;
    std::vector<int> perClass; ///< images per class (X-ray) or studies per class (MRI)
};

/// count 300 x 300 PNGs, spread evenly over the 4 classes, in OUT/<class>/ plus
/// OUT/phantoms.csv (path, label, region, view, rotation, scale, contrast, noise, blur,
/// affected levels). Throws spinelens::Error.
PhantomSetReport writeXrayPhantomSet(const std::string& outDir, int count, std::uint64_t seed);

/// count studies (half degenerative) of 15 sagittal 256 x 256 slices in the RSNA 2024 layout:
/// train.csv (25 condition/level grades), train_series_descriptions.csv,
/// train_label_coordinates.csv and train_images/<study>/<series>/<instance>.dcm.
PhantomSetReport writeMriPhantomSet(const std::string& outDir, int count, std::uint64_t seed);

} // namespace spinelens::phantom
