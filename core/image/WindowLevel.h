#pragma once
// Window/level: the file's own window, histogram auto-windowing, presets, and the mapping
// to 8-bit grey used for thumbnails and PNG export.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spinelens {

struct Window {
    double center = 0.0;
    double width = 1.0;
};

struct WindowPreset {
    std::string name;
    Window window;
    bool automatic = false; ///< computed from the histogram of the slice in view
};

/// Presets the viewer offers: CT bone, CT soft tissue, CT lung, and spine MR (auto).
const std::vector<WindowPreset>& windowPresets();

/// Window spanning the 1st to 99.5th percentile of finite values, which suits MR (no fixed
/// units) and radiographs. Returns width >= 1.
Window autoWindow(const float* values, std::size_t count);

/// DICOM PS3.3 C.11.2.1.2 linear VOI function to [0, 255]; invert for MONOCHROME1.
void applyWindow(const float* values, std::size_t count, const Window& window, bool invert,
                 std::uint8_t* out);

} // namespace spinelens
