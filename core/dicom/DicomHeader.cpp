#include "dicom/DicomHeader.h"

#include "text/CharacterSet.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "dicom/FastHeader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmimage/diregist.h> // registers colour support in DicomImage
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>

namespace spinelens::dicom {

void registerCodecs() {
    static std::once_flag once;
    std::call_once(once, [] {
        // DCMTK logs warnings for many harmless oddities; we report problems ourselves.
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        // Some writers declare explicit VR in the meta header and then write implicit VR;
        // pydicom and GDCM read such files, so we detect the dataset's real encoding too.
        dcmAutoDetectDatasetXfer.set(OFTrue);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

namespace {

void readSpacing(DcmItem& ds, FileHeader& h) {
    double rowSpacing = 0, colSpacing = 0;
    // Pixel Spacing may sit at top level or, for enhanced objects, in the shared functional
    // groups; searchIntoSub finds either.
    if (ds.findAndGetFloat64(DCM_PixelSpacing, rowSpacing, 0, OFTrue).good() &&
        ds.findAndGetFloat64(DCM_PixelSpacing, colSpacing, 1, OFTrue).good() && rowSpacing > 0 &&
        colSpacing > 0) {
        h.series.spacingSource = "PixelSpacing";
    } else if (ds.findAndGetFloat64(DCM_ImagerPixelSpacing, rowSpacing, 0, OFTrue).good() &&
               ds.findAndGetFloat64(DCM_ImagerPixelSpacing, colSpacing, 1, OFTrue).good() &&
               rowSpacing > 0 && colSpacing > 0) {
        h.series.spacingSource = "ImagerPixelSpacing";
    } else {
        h.series.spacingSource = "none";
        rowSpacing = colSpacing = 1.0;
    }
    h.series.geometry.spacing = {colSpacing, rowSpacing, 1.0};
    h.series.geometry.spacingKnown = h.series.spacingSource != "none";
    ds.findAndGetFloat64(DCM_SliceThickness, h.sliceThickness, 0, OFTrue);
    ds.findAndGetFloat64(DCM_SpacingBetweenSlices, h.spacingBetweenSlices, 0, OFTrue);
}

void readOrientationAndPosition(DcmItem& ds, FileHeader& h) {
    std::array<double, 6> o{};
    bool ok = true;
    for (int i = 0; i < 6 && ok; ++i)
        ok = ds.findAndGetFloat64(DCM_ImageOrientationPatient, o[i], i, OFTrue).good();
    if (ok) {
        h.hasOrientation = true;
        h.orientation = o;
    }
    Vec3 p{};
    ok = true;
    for (int i = 0; i < 3 && ok; ++i)
        ok = ds.findAndGetFloat64(DCM_ImagePositionPatient, p[i], i).good();
    if (ok) {
        h.slice.position = p;
        h.slice.hasPosition = true;
    }
    // Enhanced multi-frame: one Plane Position per frame.
    DcmSequenceOfItems* perFrame = nullptr;
    if (ds.findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame).good() && perFrame) {
        for (unsigned long f = 0; f < perFrame->card(); ++f) {
            DcmItem* plane = nullptr;
            Vec3 fp{};
            bool frameOk = perFrame->getItem(f)
                               ->findAndGetSequenceItem(DCM_PlanePositionSequence, plane)
                               .good() &&
                           plane;
            for (int i = 0; i < 3 && frameOk; ++i)
                frameOk = plane->findAndGetFloat64(DCM_ImagePositionPatient, fp[i], i).good();
            if (!frameOk) {
                h.framePositions.clear();
                break;
            }
            h.framePositions.push_back(fp);
        }
        if (!h.framePositions.empty() && !h.slice.hasPosition) {
            h.slice.position = h.framePositions.front();
            h.slice.hasPosition = true;
        }
    }
}

// The first VOI LUT of (0028,3010); a table whose length disagrees with its descriptor is
// ignored (the file's window, or the fallback, then applies).
std::shared_ptr<const VoiLut> readVoiLut(DcmItem& ds) {
    DcmItem* item = nullptr;
    if (ds.findAndGetSequenceItem(DCM_VOILUTSequence, item, 0).bad() || !item)
        return nullptr;
    // The descriptor is US or SS as the pixel data is (PS3.3 C.11.2.1.1); DCMTK refuses to
    // read an SS element as unsigned, so take whichever it is.
    Uint16 descriptor[3] = {0, 0, 0};
    for (unsigned long i = 0; i < 3; ++i) {
        Sint16 signedValue = 0;
        if (item->findAndGetUint16(DCM_LUTDescriptor, descriptor[i], i).bad()) {
            if (item->findAndGetSint16(DCM_LUTDescriptor, signedValue, i).bad())
                return nullptr;
            descriptor[i] = Uint16(signedValue);
        }
    }
    const std::size_t count = descriptor[0] == 0 ? 65536 : descriptor[0];
    const Uint16 bits = descriptor[2];
    const Uint16* data = nullptr;
    unsigned long got = 0;
    if (item->findAndGetUint16Array(DCM_LUTData, data, &got).bad() || !data)
        return nullptr;
    auto lut = std::make_shared<VoiLut>();
    if (got >= count) {
        lut->data.assign(data, data + count);
    } else if (bits <= 8 && got == (count + 1) / 2) {
        // 8-bit entries packed two to a word, low byte first (older files; DCMTK reads them).
        lut->data.resize(count);
        for (std::size_t k = 0; k < count; ++k)
            lut->data[k] = Uint16(k % 2 ? data[k / 2] >> 8 : data[k / 2] & 0xFF);
    } else {
        return nullptr;
    }
    Uint16 signedPixels = 0;
    ds.findAndGetUint16(DCM_PixelRepresentation, signedPixels);
    lut->firstMapped = signedPixels ? int(Sint16(descriptor[1])) : int(descriptor[1]);
    lut->bits = bits >= 1 && bits <= 16 ? bits : 16;
    return lut;
}

void readDisplay(DcmItem& ds, FileHeader& h) {
    DisplayDefaults& d = h.series.display;
    double c = 0, w = 0;
    if (ds.findAndGetFloat64(DCM_WindowCenter, c, 0, OFTrue).good() &&
        ds.findAndGetFloat64(DCM_WindowWidth, w, 0, OFTrue).good() && w > 0 && std::isfinite(c) &&
        std::isfinite(w)) {
        d.hasWindow = true;
        d.windowCenter = c;
        d.windowWidth = w;
    }
    d.function = voiFunctionFromName(getString(ds, DCM_VOILUTFunction));
    d.lut = readVoiLut(ds);
    Uint16 bitsStored = 0;
    if (ds.findAndGetUint16(DCM_BitsStored, bitsStored).good())
        d.bitsStored = bitsStored;
    d.invert = h.series.photometric == "MONOCHROME1";
}

} // namespace

FileHeader readHeaderWithDcmtk(const std::string& path) {
    registerCodecs();
    DcmFileFormat ff;
    // Values over 4 KiB (pixel data) stay on disk until asked for: scanning reads headers only.
    OFCondition st = ff.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
    if (st.bad())
        throw Error(std::string("not a readable DICOM file (") + st.text() + ")", path);
    DcmDataset& ds = *ff.getDataset();
    DcmMetaInfo& meta = *ff.getMetaInfo();

    FileHeader h;
    h.sopClassUid = getString(ds, DCM_SOPClassUID);
    const bool hasMeta = meta.card() > 0;
    if (!hasMeta && h.sopClassUid.empty() && !ds.tagExists(DCM_Rows) &&
        !ds.tagExists(DCM_PixelData))
        throw Error("not a DICOM file (no meta header, SOP class or image attributes)", path);

    SeriesInfo& s = h.series;
    const std::string charset = getString(ds, DCM_SpecificCharacterSet);
    s.patientName = getString(ds, DCM_PatientName);
    s.patientId = getString(ds, DCM_PatientID);
    s.patientSex = getString(ds, DCM_PatientSex);
    s.patientBirthDate = getString(ds, DCM_PatientBirthDate);
    s.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
    s.studyDate = getString(ds, DCM_StudyDate);
    s.studyTime = getString(ds, DCM_StudyTime);
    s.studyDescription = getString(ds, DCM_StudyDescription);
    s.accessionNumber = getString(ds, DCM_AccessionNumber);
    s.seriesInstanceUid = getString(ds, DCM_SeriesInstanceUID);
    s.seriesDescription = getString(ds, DCM_SeriesDescription);
    s.modality = getString(ds, DCM_Modality);
    s.bodyPartExamined = getString(ds, DCM_BodyPartExamined);
    s.manufacturer = getString(ds, DCM_Manufacturer);
    decodeTextAttributes(s, charset);
    s.photometric = getString(ds, DCM_PhotometricInterpretation);
    s.transferSyntaxUid = DcmXfer(ds.getOriginalXfer()).getXferID();
    Sint32 number = 0;
    if (ds.findAndGetSint32(DCM_SeriesNumber, number).good())
        s.seriesNumber = number;
    Uint16 rows = 0, cols = 0, spp = 1;
    ds.findAndGetUint16(DCM_Rows, rows);
    ds.findAndGetUint16(DCM_Columns, cols);
    if (ds.findAndGetUint16(DCM_SamplesPerPixel, spp).bad())
        spp = 1; // DCMTK zeroes the output on failure
    s.rows = rows;
    s.columns = cols;
    s.samplesPerPixel = spp;
    Sint32 frames = 1;
    if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1)
        h.numberOfFrames = frames;

    h.hasPixelData = ds.tagExistsWithValue(DCM_PixelData) ||
                     ds.tagExistsWithValue(DCM_FloatPixelData) ||
                     ds.tagExistsWithValue(DCM_DoubleFloatPixelData);
    h.slice.path = path;
    h.slice.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
    if (ds.findAndGetSint32(DCM_InstanceNumber, number).good())
        h.slice.instanceNumber = number;

    readSpacing(ds, h);
    readOrientationAndPosition(ds, h);
    readDisplay(ds, h);
    return h;
}

std::string unsupportedTransferSyntax(const std::string& uid) {
    static const char* kDecodable[] = {
        "1.2.840.10008.1.2",      "1.2.840.10008.1.2.1",    "1.2.840.10008.1.2.2",
        "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.5",    "1.2.840.10008.1.2.4.50",
        "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.90",
        "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"};
    if (uid.empty())
        return {};
    for (const char* ok : kDecodable)
        if (uid == ok)
            return {};
    const DcmXfer xfer(uid.c_str());
    const std::string name =
        xfer.getXfer() == EXS_Unknown ? std::string("unknown") : xfer.getXferName();
    return "unsupported transfer syntax " + name + " (" + uid + ")";
}

FileHeader readHeader(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("not a readable file", path);
    FileHeader h;
    if (!readHeaderFast(path, h))
        h = readHeaderWithDcmtk(path);
    const SeriesInfo& s = h.series;
    if (double(s.rows) * s.columns * h.numberOfFrames * s.samplesPerPixel > 1.5e9)
        throw Error("absurd image dimensions (" + std::to_string(s.columns) + " x " +
                        std::to_string(s.rows) + " x " + std::to_string(h.numberOfFrames) +
                        " frames)",
                    path);
    return h;
}

std::vector<std::string> readDicomDir(const std::string& dicomDirPath) {
    registerCodecs();
    DcmFileFormat ff;
    OFCondition st = ff.loadFile(dicomDirPath.c_str());
    if (st.bad())
        throw Error(std::string("not a readable DICOMDIR (") + st.text() + ")", dicomDirPath);
    DcmSequenceOfItems* records = nullptr;
    if (ff.getDataset()->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() || !records)
        throw Error("DICOMDIR has no Directory Record Sequence", dicomDirPath);
    const std::filesystem::path base = std::filesystem::path(dicomDirPath).parent_path();
    std::vector<std::string> files;
    for (unsigned long i = 0; i < records->card(); ++i) {
        OFString id;
        if (records->getItem(i)->findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() ||
            id.empty())
            continue;
        std::string rel(id.c_str());
        for (char& c : rel)
            if (c == '\\')
                c = '/';
        files.push_back((base / rel).lexically_normal().string());
    }
    return files;
}

void decodeTextAttributes(SeriesInfo& s, const std::string& charset) {
    using text::TextKind;
    s.patientName = text::decodeDicomText(s.patientName, charset, TextKind::PersonName);
    for (std::string* v : {&s.patientId, &s.studyDescription, &s.accessionNumber,
                           &s.seriesDescription, &s.manufacturer, &s.bodyPartExamined, &s.modality,
                           &s.patientSex, &s.studyDate, &s.studyTime})
        *v = text::decodeDicomText(*v, charset);
}

} // namespace spinelens::dicom
