#pragma once
// Synthetic spine images ("phantoms") with known anatomy and geometry. They are what the
// sample study shows and what the tests decode, sort and render; nothing here is patient data.
#include "image/Volume.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace spinelens::phantom {

struct MriSpec {
    int rows = 256;
    int columns = 256;
    int slices = 15;
    double pixelSpacing = 1.0; ///< mm, in-plane
    double sliceSpacing = 4.0; ///< mm, between sagittal slices
    std::uint64_t seed = 1;
    double noise = 15.0; ///< Gaussian noise sigma in signal units
    /// Discs (0 = top disc in the field) shown degenerated: dark nucleus, lower height, and a
    /// posterior bulge into the canal.
    std::vector<int> degenerativeDiscs;
    /// How far each of degenerativeDiscs has gone, 0 (as healthy) to 1 (dark, collapsed,
    /// bulging); missing entries count as 1. Mild changes overlap with healthy variation.
    std::vector<double> degenerationSeverity;
    /// Where the first disc sits (mm from the top), so studies differ.
    double discPhase = 7.0;
    // Anatomy and scanner variation between studies.
    double lordosis = 10.0;         ///< mm the spine bows anteriorly mid-field
    double apShift = 0.0;           ///< mm the spine sits anterior (+) or posterior (-)
    double healthyNucleus = 1250.0; ///< T2 signal of a well-hydrated nucleus
    double gain = 1.0;              ///< overall signal scale (coil, receiver gain)
};

/// The disc index (0 = top disc in the field) at an image row, -1 inside a vertebral body.
int discIndexAt(const MriSpec& spec, int row);

/// The centre of a disc's nucleus in the middle slice, in pixels (column, row); row -1 when
/// the disc is not in the field.
std::pair<double, int> discCentre(const MriSpec& spec, int discIndex);

/// Sagittal T2-like lumbar spine: vertebral bodies with dark cortical rims, bright discs,
/// bright CSF in the canal, soft tissue. Values in 12-bit MR signal units; geometry is
/// sagittal (rows run head to feet, columns anterior to posterior).
Volume makeSagittalMri(const MriSpec& spec);

struct CtSpec {
    int rows = 512;
    int columns = 512;
    int slices = 300;
    double pixelSpacing = 0.7;
    double sliceSpacing = 1.0;
    std::uint64_t seed = 1;
};

/// Axial CT of the lumbar region in Hounsfield units: air, body, vertebral body with cortex,
/// spinal canal, discs at regular levels.
Volume makeAxialCt(const CtSpec& spec);

/// A lateral lumbar radiograph, 8-bit values (bone bright), width x height, one slice.
Volume makeLateralXray(int width, int height, std::uint64_t seed);

} // namespace spinelens::phantom
