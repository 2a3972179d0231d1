#include "study/CaseImage.h"

#include "dicom/DicomDecoder.h"
#include "dicom/DicomHeader.h"
#include "raster/RasterIO.h"

namespace spinelens {

CaseImage loadCaseImage(const std::string& path, bool withUids) {
    CaseImage s;
    if (raster::isRasterPath(path)) {
        raster::RasterImage img = raster::read(path);
        s.width = img.width;
        s.height = img.height;
        s.pixels = std::move(img.pixels);
        s.display.raster = true;
        s.display.bitsStored = img.bitDepth;
        return s;
    }
    dicom::DecodedFrames f = dicom::decodeFile(path);
    s.width = f.columns;
    s.height = f.rows;
    f.pixels.resize(std::size_t(s.width) * s.height); // first frame
    s.pixels = std::move(f.pixels);
    // The header gives the file's VOI, which 8-bit models need (modelGrey8); the fast reader
    // makes it cheap beside the decode.
    const dicom::FileHeader h = dicom::readHeader(path);
    s.display = h.series.display;
    if (withUids) {
        s.studyUid = h.series.studyInstanceUid;
        s.seriesUid = h.series.seriesInstanceUid;
        s.sopUid = h.slice.sopInstanceUid;
    }
    return s;
}

int caseImageSlice(const SeriesInfo& series, const std::string& path) {
    for (std::size_t k = 0; k < series.slices.size(); ++k)
        if (series.slices[k].frame == 0 && series.slices[k].path == path)
            return int(k);
    return 0;
}

} // namespace spinelens
