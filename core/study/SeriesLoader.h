#pragma once
// Decodes a scanned series into a Volume, files in parallel, the first slice in display
// order first, reporting each slice as it lands so the viewer can show it at once.
#include "dicom/SeriesInfo.h"
#include "image/Volume.h"

#include <atomic>
#include <functional>
#include <memory>

namespace spinelens {

struct LoadCallbacks {
    /// Called from worker threads, once per slice, after its pixels are in the volume.
    std::function<void(int sliceIndex)> sliceReady;
    /// Polled between files; returning true stops the load early.
    std::function<bool()> cancelled;
    /// The slice the viewer shows first: its file is decoded before any other.
    int prioritySlice = 0;
};

struct LoadReport {
    std::vector<FileFailure> failures; ///< slices that could not be decoded (left blank)
    std::string decoder;               ///< "dcmtk", "gdcm", "libpng/libjpeg" or mixed
    bool cancelled = false;
};

/// Allocates the volume for a series (sizes and geometry, pixels zero).
std::shared_ptr<Volume> allocateVolume(const SeriesInfo& series);

/// Fills a volume made by allocateVolume. Throws spinelens::Error only when no slice at all
/// could be decoded; single bad files are listed in the report.
LoadReport loadInto(const SeriesInfo& series, Volume& volume, const LoadCallbacks& callbacks = {},
                    int threads = 0);

/// Convenience: allocate and load in one call.
std::shared_ptr<Volume> loadSeries(const SeriesInfo& series, LoadReport* report = nullptr,
                                   int threads = 0);

} // namespace spinelens
