// The heatmap as a Secondary Capture image: the blended picture under a burned-in banner
// that says what it is, so any viewer that shows it also shows that it is not for diagnosis.
#include "out/AiReport.h"
#include "out/SourceDataset.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "image/BitmapFont.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/ofstd/ofdatime.h>

#include <algorithm>
#include <array>

namespace spinelens::out {
namespace {

struct Canvas {
    int width, height;
    std::vector<unsigned char> rgb;
    void fill(int y0, int y1, unsigned char v) {
        std::fill(rgb.begin() + std::ptrdiff_t(3) * width * y0,
                  rgb.begin() + std::ptrdiff_t(3) * width * y1, v);
    }
    void text(const std::string& s, int x0, int y0, int scale,
              const std::array<unsigned char, 3>& colour) {
        for (std::size_t i = 0; i < s.size(); ++i)
            for (int gy = 0; gy < font::kGlyphHeight; ++gy)
                for (int gx = 0; gx < font::kGlyphWidth; ++gx) {
                    if (!font::inked(s[i], gx, gy))
                        continue;
                    for (int dy = 0; dy < scale; ++dy)
                        for (int dx = 0; dx < scale; ++dx) {
                            const int x = x0 + (int(i) * (font::kGlyphWidth + 1) + gx) * scale + dx;
                            const int y = y0 + gy * scale + dy;
                            if (x < 0 || x >= width || y < 0 || y >= height)
                                continue;
                            std::copy(colour.begin(), colour.end(),
                                      rgb.begin() + 3 * (std::ptrdiff_t(y) * width + x));
                        }
                }
    }
};

// Lines of the banner; the canvas is made wide enough for the longest.
std::vector<std::string> bannerLines(const HeatmapPicture& p, const AiResult& r) {
    std::vector<std::string> lines = {"AI HEATMAP - NOT FOR DIAGNOSIS",
                                      p.method + " for \"" + p.className + "\"",
                                      r.algorithm.name + " " + r.algorithm.version};
    if (p.noEvidence)
        lines.push_back("No region stands out for this class");
    if (r.algorithm.synthetic)
        lines.push_back("Trained on synthetic data");
    if (!r.algorithm.clinicallyValidated)
        lines.push_back("Not clinically validated");
    return lines;
}

void put(DcmDataset& d, const DcmTagKey& key, const std::string& value, const std::string& path) {
    if (d.putAndInsertString(key, value.c_str()).bad())
        throw Error(
            "cannot write the heatmap image (" + std::string(DcmTag(key).getTagName()) + ")", path);
}

} // namespace

WrittenObject writeHeatmapCapture(const HeatmapPicture& picture, const AiResult& r,
                                  const std::string& sourceFile, const std::string& path) {
    if (picture.width <= 0 || picture.height <= 0 ||
        picture.rgb.size() != std::size_t(picture.width) * picture.height * 3)
        throw Error("the heatmap picture has no pixels", path);
    const std::vector<SourceDataset> sources = readSources({{sourceFile}});
    const SourceDataset& source = sources.front();

    // The banner goes above the picture, so it hides nothing of the image.
    const std::vector<std::string> lines = bannerLines(picture, r);
    const int scale = std::max(1, picture.width / 360);
    const int lineHeight = (font::kGlyphHeight + 4) * scale;
    const int band = int(lines.size()) * lineHeight + 4 * scale;
    std::size_t longest = 0;
    for (const std::string& l : lines)
        longest = std::max(longest, l.size());
    // A narrow image gets a wider canvas (black beside it) so no word of the banner is lost.
    const int textWidth = int(longest) * (font::kGlyphWidth + 1) * scale + 8 * scale;
    Canvas c{std::max(picture.width, textWidth), picture.height + band, {}};
    c.rgb.assign(std::size_t(c.width) * c.height * 3, 0);
    c.fill(0, band, 24);
    for (std::size_t i = 0; i < lines.size(); ++i)
        c.text(lines[i], 4 * scale, 2 * scale + int(i) * lineHeight, scale,
               i == 0 ? std::array<unsigned char, 3>{255, 210, 0}
                      : std::array<unsigned char, 3>{235, 235, 235});
    for (int y = 0; y < picture.height; ++y)
        std::copy(picture.rgb.begin() + std::ptrdiff_t(3) * picture.width * y,
                  picture.rgb.begin() + std::ptrdiff_t(3) * picture.width * (y + 1),
                  c.rgb.begin() + std::ptrdiff_t(3) * (std::ptrdiff_t(c.width) * (band + y)));

    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    copyPatientAndStudy(*source.dataset, d);
    char uid[100];
    put(d, DCM_SOPClassUID, UID_SecondaryCaptureImageStorage, path);
    put(d, DCM_SOPInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_INSTANCE_UID_ROOT), path);
    put(d, DCM_SeriesInstanceUID, dcmGenerateUniqueIdentifier(uid, SITE_SERIES_UID_ROOT), path);
    put(d, DCM_Modality, "OT", path);
    put(d, DCM_SeriesNumber, "9002", path);
    put(d, DCM_InstanceNumber, "1", path);
    put(d, DCM_SeriesDescription, "AI HEATMAP - NOT FOR DIAGNOSIS", path);
    const std::string bodyPart = dicom::getString(*source.dataset, DCM_BodyPartExamined);
    put(d, DCM_BodyPartExamined, bodyPart.empty() ? "SPINE" : bodyPart, path);
    put(d, DCM_Manufacturer, "SpineLens", path);
    put(d, DCM_ConversionType, "WSD", path);
    put(d, DCM_SecondaryCaptureDeviceManufacturer, "SpineLens", path);
    put(d, DCM_SecondaryCaptureDeviceManufacturerModelName,
        (r.algorithm.name + " " + r.algorithm.version).substr(0, 64), path);
    if (!r.software.empty())
        put(d, DCM_SecondaryCaptureDeviceSoftwareVersions, r.software.substr(0, 64), path);
    d.insertEmptyElement(DCM_PatientOrientation);
    OFDateTime now = OFDateTime::getCurrentDateTime();
    OFString date, time;
    now.getDate().getISOFormattedDate(date, OFFalse);
    now.getTime().getISOFormattedTime(time, OFTrue, OFFalse, OFFalse, OFFalse);
    put(d, DCM_ContentDate, date.c_str(), path);
    put(d, DCM_ContentTime, time.c_str(), path);
    put(d, DCM_DateOfSecondaryCapture, date.c_str(), path);
    put(d, DCM_TimeOfSecondaryCapture, time.c_str(), path);
    put(d, DCM_ImageType, "DERIVED\\SECONDARY", path);
    put(d, DCM_DerivationDescription,
        (picture.method + " heatmap of \"" + picture.className + "\" by " + r.algorithm.name + " " +
         r.algorithm.version + ", blended over the source image")
            .substr(0, 1024),
        path);
    if (picture.method.rfind("Grad-CAM", 0) == 0) {
        DcmItem* code = nullptr;
        if (d.findOrCreateSequenceItem(DCM_DerivationCodeSequence, code).good()) {
            code->putAndInsertString(DCM_CodeValue, "130403");
            code->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
            code->putAndInsertString(DCM_CodeMeaning, "Gradient-weighted class activation");
        }
    }
    DcmItem* ref = nullptr;
    if (d.findOrCreateSequenceItem(DCM_SourceImageSequence, ref).good()) {
        ref->putAndInsertString(DCM_ReferencedSOPClassUID, source.sopClassUid.c_str());
        ref->putAndInsertString(DCM_ReferencedSOPInstanceUID, source.sopInstanceUid.c_str());
        DcmItem* purpose = nullptr;
        if (ref->findOrCreateSequenceItem(DCM_PurposeOfReferenceCodeSequence, purpose).good()) {
            purpose->putAndInsertString(DCM_CodeValue, "121322");
            purpose->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
            purpose->putAndInsertString(DCM_CodeMeaning,
                                        "Source image for image processing operation");
        }
    }
    put(d, DCM_ImageComments,
        "AI HEATMAP - NOT FOR DIAGNOSIS. " +
            std::string(r.algorithm.synthetic ? "Trained on synthetic data. " : "") +
            (r.algorithm.clinicallyValidated ? "" : "Not clinically validated."),
        path);
    put(d, DCM_BurnedInAnnotation, "YES", path);
    put(d, DCM_RecognizableVisualFeatures, "NO", path);
    put(d, DCM_LossyImageCompression, "00", path);
    d.putAndInsertUint16(DCM_SamplesPerPixel, 3);
    put(d, DCM_PhotometricInterpretation, "RGB", path);
    d.putAndInsertUint16(DCM_PlanarConfiguration, 0);
    d.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(c.height));
    d.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(c.width));
    d.putAndInsertUint16(DCM_BitsAllocated, 8);
    d.putAndInsertUint16(DCM_BitsStored, 8);
    d.putAndInsertUint16(DCM_HighBit, 7);
    d.putAndInsertUint16(DCM_PixelRepresentation, 0);
    if (d.putAndInsertUint8Array(DCM_PixelData, c.rgb.data(), c.rgb.size()).bad())
        throw Error("cannot write the heatmap image (pixel data)", path);
    const OFCondition saved = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
    if (saved.bad())
        throw Error(std::string("cannot write the heatmap image (") + saved.text() + ")", path);

    return identityOf(d, path);
}

} // namespace spinelens::out
