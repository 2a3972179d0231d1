#pragma once
// What a scan of files finds: series grouped by patient/study/series, slices in display order.
// Plain values so the CLI prints them as JSON and the UI lists them without touching files.
#include "image/Geometry.h"
#include "image/WindowLevel.h"

#include <string>
#include <vector>

namespace spinelens {

/// One displayable 2D image: a single-frame file, or one frame of a multi-frame object.
struct SliceSource {
    std::string path;
    int frame = 0;              ///< frame index inside the file (0 for single-frame)
    int instanceNumber = 0;     ///< (0020,0013); 0 when absent
    std::string sopInstanceUid; ///< (0008,0018)
    Vec3 position{0, 0, 0};     ///< Image Position (Patient), mm
    bool hasPosition = false;
    /// The file's own presentation (each image of a DX/CR series may carry its own VOI and
    /// photometric interpretation); what 8-bit models are given for this slice.
    DisplayDefaults display;
};

enum class SourceKind { Dicom, Raster };

struct SeriesInfo {
    SourceKind kind = SourceKind::Dicom;
    std::string patientName, patientId, patientSex, patientBirthDate;
    std::string studyInstanceUid, studyDate, studyTime, studyDescription, accessionNumber;
    std::string seriesInstanceUid, seriesDescription, modality, bodyPartExamined;
    std::string manufacturer, transferSyntaxUid, photometric;
    int seriesNumber = 0;
    int rows = 0;
    int columns = 0;
    int samplesPerPixel = 1;
    std::vector<SliceSource> slices; ///< display order
    Geometry geometry;               ///< origin = first slice in display order
    DisplayDefaults display;
    /// How the display order was decided: "position", "instance number" or "file name".
    std::string sortedBy;
    /// Where the pixel spacing came from (PixelSpacing, ImagerPixelSpacing, none).
    std::string spacingSource;

    std::string displayName() const;
    /// The presentation of slice k (the series' first file's when k is out of range).
    const DisplayDefaults& sliceDisplay(int k) const {
        return k >= 0 && std::size_t(k) < slices.size() ? slices[std::size_t(k)].display : display;
    }
};

struct FileFailure {
    std::string path;
    std::string reason;
};

struct ScanResult {
    std::vector<SeriesInfo> series;
    std::vector<FileFailure> failures;
    /// DICOM files with no pixel data (reports, DICOMDIR, RT plans): not images, not errors.
    std::vector<FileFailure> skipped;
};

} // namespace spinelens
