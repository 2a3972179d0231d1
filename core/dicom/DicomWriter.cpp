#include "dicom/DicomWriter.h"

#include "Error.h"
#include "dicom/DicomHeader.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace spinelens::dicom {
namespace {

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void registerEncoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        DJEncoderRegistration::registerCodecs();
        DJLSEncoderRegistration::registerCodecs();
        DcmRLEEncoderRegistration::registerCodecs();
    });
}

E_TransferSyntax toXfer(Encoding e) {
    switch (e) {
    case Encoding::ImplicitLittle:
        return EXS_LittleEndianImplicit;
    case Encoding::ExplicitBig:
        return EXS_BigEndianExplicit;
    case Encoding::Deflated:
        return EXS_DeflatedLittleEndianExplicit;
    case Encoding::Rle:
        return EXS_RLELossless;
    case Encoding::JpegLossless:
        return EXS_JPEGProcess14SV1;
    case Encoding::JpegLsLossless:
        return EXS_JPEGLSLossless;
    case Encoding::ExplicitLittle:
        break;
    }
    return EXS_LittleEndianExplicit;
}

std::string formatDs(double v) {
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

std::string joinDs(std::initializer_list<double> values) {
    std::string s;
    for (double v : values)
        s += (s.empty() ? "" : "\\") + formatDs(v);
    return s;
}

void check(OFCondition c, const std::string& what, const std::string& path) {
    if (c.bad())
        throw Error(what + " (" + c.text() + ")", path);
}

} // namespace

Encoding encodingFromName(const std::string& name) {
    static const std::pair<const char*, Encoding> names[] = {
        {"explicit-le", Encoding::ExplicitLittle},
        {"implicit-le", Encoding::ImplicitLittle},
        {"explicit-be", Encoding::ExplicitBig},
        {"deflated", Encoding::Deflated},
        {"rle", Encoding::Rle},
        {"jpeg-lossless", Encoding::JpegLossless},
        {"jpeg-ls-lossless", Encoding::JpegLsLossless}};
    for (const auto& [n, e] : names)
        if (name == n)
            return e;
    throw Error("unknown encoding (use explicit-le, implicit-le, explicit-be, deflated, rle, "
                "jpeg-lossless or jpeg-ls-lossless)",
                name);
}

std::string deterministicUid(std::uint64_t seed, std::uint64_t salt) {
    // 2.25.<decimal integer>: two 64-bit halves, the second zero-padded so the whole stays
    // a valid integer without a leading zero and under the 64-character UID limit.
    const std::uint64_t hi =
        (mix(seed * 1315423911ULL + salt) % 9000000000000000000ULL) + 1000000000000000000ULL;
    const std::uint64_t lo = mix(hi ^ salt) % 10000000000000000ULL;
    char buf[64];
    std::snprintf(buf, sizeof buf, "2.25.%llu%016llu", static_cast<unsigned long long>(hi),
                  static_cast<unsigned long long>(lo));
    return buf;
}

std::vector<std::string> writeSeries(const Volume& v, const SeriesSpec& spec,
                                     const std::string& folder) {
    registerCodecs();
    registerEncoders();
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throw Error("cannot create folder (" + ec.message() + ")", folder);

    const std::string studyUid =
        spec.studyInstanceUid.empty() ? deterministicUid(spec.seed, 1) : spec.studyInstanceUid;
    const std::string seriesUid =
        deterministicUid(spec.seed, 1000 + std::uint64_t(spec.seriesNumber));
    const std::string frameOfRefUid = deterministicUid(spec.seed, 2);
    const Geometry& g = v.geometry;
    const Vec3 row = g.rowDirection(), col = g.columnDirection(), normal = g.normal();

    std::vector<int> names(std::size_t(v.depth));
    std::iota(names.begin(), names.end(), 0);
    if (spec.shuffleFileNames)
        std::shuffle(names.begin(), names.end(), std::mt19937_64(spec.seed));

    const bool isCt = spec.modality == "CT";
    const char* sopClass = isCt                    ? UID_CTImageStorage
                           : spec.modality == "MR" ? UID_MRImageStorage
                                                   : UID_SecondaryCaptureImageStorage;
    std::vector<std::string> paths;
    for (int k = 0; k < v.depth; ++k) {
        char name[64];
        if (spec.instanceNumberFileNames)
            std::snprintf(name, sizeof name, "%d.dcm", k + 1);
        else if (spec.shuffleFileNames)
            std::snprintf(name, sizeof name, "IM%016llx.dcm",
                          static_cast<unsigned long long>(
                              mix(spec.seed * 7919 + std::uint64_t(spec.seriesNumber) * 100003 +
                                  std::uint64_t(names[std::size_t(k)]))));
        else
            std::snprintf(name, sizeof name, "S%dIM%05d.dcm", spec.seriesNumber, k + 1);
        const std::string path = (fs::path(folder) / name).string();

        DcmFileFormat ff;
        DcmDataset& ds = *ff.getDataset();
        const std::string sopUid = deterministicUid(
            spec.seed, 100000 + std::uint64_t(spec.seriesNumber) * 10000 + std::uint64_t(k));
        ds.putAndInsertString(DCM_SOPClassUID, sopClass);
        ds.putAndInsertString(DCM_SOPInstanceUID, sopUid.c_str());
        ds.putAndInsertString(DCM_StudyInstanceUID, studyUid.c_str());
        ds.putAndInsertString(DCM_SeriesInstanceUID, seriesUid.c_str());
        ds.putAndInsertString(DCM_FrameOfReferenceUID, frameOfRefUid.c_str());
        ds.putAndInsertString(DCM_PatientName, spec.patientName.c_str());
        ds.putAndInsertString(DCM_PatientID, spec.patientId.c_str());
        ds.putAndInsertString(DCM_PatientSex, "O");
        ds.putAndInsertString(DCM_StudyDate, spec.studyDate.c_str());
        ds.putAndInsertString(DCM_StudyTime, "120000");
        ds.putAndInsertString(DCM_StudyDescription, spec.studyDescription.c_str());
        const std::string accession = spec.accessionNumber.empty()
                                          ? ("A" + spec.patientId).substr(0, 16)
                                          : spec.accessionNumber;
        ds.putAndInsertString(DCM_AccessionNumber, accession.c_str());
        ds.putAndInsertString(DCM_SeriesDescription, spec.seriesDescription.c_str());
        ds.putAndInsertString(DCM_Modality, spec.modality.c_str());
        ds.putAndInsertString(DCM_BodyPartExamined, spec.bodyPart.c_str());
        ds.putAndInsertString(DCM_Manufacturer, "SpineLens (synthetic phantom)");
        ds.putAndInsertString(DCM_ImageComments, "SYNTHETIC PHANTOM - not patient data");
        ds.putAndInsertString(DCM_SeriesNumber, std::to_string(spec.seriesNumber).c_str());
        ds.putAndInsertString(DCM_InstanceNumber, std::to_string(k + 1).c_str());
        const Vec3 pos{g.origin[0] + k * g.spacing[2] * normal[0],
                       g.origin[1] + k * g.spacing[2] * normal[1],
                       g.origin[2] + k * g.spacing[2] * normal[2]};
        ds.putAndInsertString(DCM_ImagePositionPatient, joinDs({pos[0], pos[1], pos[2]}).c_str());
        ds.putAndInsertString(DCM_ImageOrientationPatient,
                              joinDs({row[0], row[1], row[2], col[0], col[1], col[2]}).c_str());
        ds.putAndInsertString(DCM_SliceLocation, formatDs(dot(pos, normal)).c_str());
        ds.putAndInsertString(DCM_PixelSpacing, joinDs({g.spacing[1], g.spacing[0]}).c_str());
        ds.putAndInsertString(DCM_SliceThickness, formatDs(g.spacing[2]).c_str());
        ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
        ds.putAndInsertString(DCM_PhotometricInterpretation,
                              spec.monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
        ds.putAndInsertUint16(DCM_Rows, Uint16(v.height));
        ds.putAndInsertUint16(DCM_Columns, Uint16(v.width));
        ds.putAndInsertUint16(DCM_BitsAllocated, 16);
        ds.putAndInsertUint16(DCM_BitsStored, 16);
        ds.putAndInsertUint16(DCM_HighBit, 15);
        ds.putAndInsertUint16(DCM_PixelRepresentation, 1);
        ds.putAndInsertString(DCM_RescaleSlope, formatDs(spec.rescaleSlope).c_str());
        ds.putAndInsertString(DCM_RescaleIntercept, formatDs(spec.rescaleIntercept).c_str());
        if (isCt)
            ds.putAndInsertString(DCM_RescaleType, "HU");
        if (spec.hasWindow) {
            ds.putAndInsertString(DCM_WindowCenter, formatDs(spec.window.center).c_str());
            ds.putAndInsertString(DCM_WindowWidth, formatDs(spec.window.width).c_str());
        }
        std::vector<Sint16> stored(v.sliceSize());
        const float* src = v.slice(k);
        for (std::size_t i = 0; i < stored.size(); ++i) {
            const double s =
                std::round((double(src[i]) - spec.rescaleIntercept) / spec.rescaleSlope);
            stored[i] = Sint16(std::clamp(s, -32768.0, 32767.0));
        }
        check(ds.putAndInsertUint16Array(
                  DCM_PixelData, reinterpret_cast<const Uint16*>(stored.data()), stored.size()),
              "cannot store pixel data", path);
        const E_TransferSyntax xfer = toXfer(spec.encoding);
        if (DcmXfer(xfer).isEncapsulated()) {
            DJ_RPLossless losslessParams;
            DJLSRepresentationParameter lsParams(2, OFTrue);
            const DcmRepresentationParameter* params = nullptr;
            if (spec.encoding == Encoding::JpegLossless)
                params = &losslessParams;
            else if (spec.encoding == Encoding::JpegLsLossless)
                params = &lsParams;
            check(ds.chooseRepresentation(xfer, params), "cannot compress pixel data", path);
        }
        check(ff.saveFile(path.c_str(), xfer), "cannot write DICOM file", path);
        paths.push_back(path);
    }
    return paths;
}

} // namespace spinelens::dicom
