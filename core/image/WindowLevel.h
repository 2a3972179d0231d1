#pragma once
// Window/level: the file's own VOI (window with its function, or VOI LUT), histogram
// auto-windowing, presets, and the mapping to 8-bit grey used for thumbnails, PNG export and
// the models that expect 8-bit grey (divide255).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spinelens {

struct Window {
    double center = 0.0;
    double width = 1.0;
};

/// (0028,1056) VOI LUT Function, PS3.3 C.11.2.1.3.
enum class VoiFunction { Linear, LinearExact, Sigmoid };

/// "LINEAR_EXACT", "SIGMOID"; anything else (including "LINEAR" and empty) is Linear.
VoiFunction voiFunctionFromName(const std::string& name);

/// The first item of (0028,3010) VOI LUT Sequence: entry k maps the modality value
/// firstMapped + k; values below or above the table take its first or last entry.
struct VoiLut {
    int firstMapped = 0;
    int bits = 16; ///< (0028,3002) third value: entries range over 0 .. 2^bits - 1
    std::vector<std::uint16_t> data;
    bool empty() const { return data.empty(); }
};

/// The window the file suggests and how to paint values.
struct DisplayDefaults {
    bool hasWindow = false;
    double windowCenter = 0.0;
    double windowWidth = 0.0;
    bool invert = false; ///< MONOCHROME1: low values are white
    VoiFunction function = VoiFunction::Linear;
    /// The file's VOI LUT, shared (it can hold 64 Ki entries and every slice keeps its own
    /// display). When a file has both, the LUT is used, as pydicom's apply_voi_lut does by
    /// default: exports made for training most often went through it.
    std::shared_ptr<const VoiLut> lut;
    int bitsStored = 0;  ///< DICOM (0028,0101), or a PNG/JPEG's sample depth; 0 unknown
    bool raster = false; ///< PNG/JPEG: values are the stored samples, no VOI of their own

    bool hasLut() const { return lut && !lut->empty(); }
    bool hasVoi() const { return hasWindow || hasLut(); }
    /// The file asks for a curve the viewer's linear window cannot draw (a VOI LUT, SIGMOID or
    /// LINEAR_EXACT).
    bool hasNonLinearVoi() const {
        return hasLut() || (hasWindow && function != VoiFunction::Linear);
    }
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

/// One VOI function (LINEAR, LINEAR_EXACT or SIGMOID, PS3.3 C.11.2.1.2-3) to [0, 255].
void applyVoiFunction(const float* values, std::size_t count, const Window& window,
                      VoiFunction function, bool invert, std::uint8_t* out);

/// A VOI LUT to [0, 255]: entry / (2^bits - 1), modality values rounded to the nearest entry.
void applyVoiLut(const float* values, std::size_t count, const VoiLut& lut, bool invert,
                 std::uint8_t* out);

/// The file's own presentation to 8-bit grey: its VOI LUT, else its window with its function,
/// else `fallback` (the caller's rule for files that give none); MONOCHROME1 inverted.
void applyFileVoi(const float* values, std::size_t count, const DisplayDefaults& display,
                  const Window& fallback, std::uint8_t* out);

/// What the viewer shows first: applyFileVoi with autoWindow as the fallback. Thumbnails,
/// PNG export and heatmap overlays use it.
void applyDefaultVoi(const float* values, std::size_t count, const DisplayDefaults& display,
                     std::uint8_t* out);

/// The 8-bit grey a model that divides by 255 is given (models/README.md, "Input grey"):
/// PNG/JPEG samples as stored, 16-bit ones scaled by 255 / 65535 and rounded; DICOM through
/// applyFileVoi, where a file with no VOI of its own is scaled from its stored range
/// (255 / (2^bits - 1), as DCMTK renders it without windowing) when it holds at most 8 bits
/// and shown with the slice's minimum-to-maximum window otherwise (DCMTK's +Wm).
void modelGrey8(const float* values, std::size_t count, const DisplayDefaults& display,
                std::uint8_t* out);

} // namespace spinelens
