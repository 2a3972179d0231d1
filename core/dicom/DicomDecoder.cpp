#include "dicom/DicomDecoder.h"

#include "Error.h"
#include "dicom/DcmtkUtil.h"
#include "dicom/DicomHeader.h"
#include "dicom/GdcmFallback.h"
#include "image/Luminance.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmimgle/dipixel.h>

#include <cmath>
#include <cstdint>

namespace spinelens::dicom {
namespace {

// Anything above this is a corrupt header, not a real image (a 4096^2 x 1000-frame CT is
// 32 GiB of floats; we refuse long before that).
constexpr double kMaxPixelsPerFile = 1.5e9;

bool isJpeg2000(E_TransferSyntax xfer) {
    return xfer == EXS_JPEG2000LosslessOnly || xfer == EXS_JPEG2000 ||
           xfer == EXS_JPEG2000MulticomponentLosslessOnly || xfer == EXS_JPEG2000Multicomponent;
}

template <typename T>
void convertMono(const void* data, std::size_t count, double slope, double intercept, float* out) {
    const T* in = static_cast<const T*>(data);
    if (slope == 1.0 && intercept == 0.0) {
        for (std::size_t i = 0; i < count; ++i)
            out[i] = static_cast<float>(in[i]);
    } else {
        for (std::size_t i = 0; i < count; ++i)
            out[i] = static_cast<float>(double(in[i]) * slope + intercept);
    }
}

template <typename T> void convertRgb(const void* data, std::size_t pixels, float* out) {
    const T* in = static_cast<const T*>(data);
    for (std::size_t i = 0; i < pixels; ++i)
        out[i] = luminance(float(in[3 * i]), float(in[3 * i + 1]), float(in[3 * i + 2]));
}

void checkSize(const std::string& path, DcmDataset& ds, int rows, int cols, int frames, int spp) {
    if (rows <= 0 || cols <= 0)
        throw Error("image has no rows or columns", path);
    if (double(rows) * cols * frames * spp > kMaxPixelsPerFile)
        throw Error("absurd image dimensions (" + std::to_string(cols) + " x " +
                        std::to_string(rows) + " x " + std::to_string(frames) + " frames)",
                    path);
    DcmElement* pixelData = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, pixelData).bad() || !pixelData)
        throw Error("no pixel data", path);
    DcmXfer xfer(ds.getOriginalXfer());
    if (xfer.isEncapsulated())
        return;
    Uint16 bitsAllocated = 0;
    ds.findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
    if (bitsAllocated == 0 || bitsAllocated > 64)
        throw Error("invalid Bits Allocated (" + std::to_string(bitsAllocated) + ")", path);
    std::string photometric = getString(ds, DCM_PhotometricInterpretation);
    // YBR_FULL_422 stores two luma samples per chroma pair: 2 samples per pixel on disk.
    const double samplesOnDisk = photometric == "YBR_FULL_422" ? 2.0 : double(spp);
    const double expected = double(rows) * cols * frames * samplesOnDisk * bitsAllocated / 8.0;
    const double actual = pixelData->getLength();
    if (actual + 1 < std::floor(expected))
        throw Error("pixel data truncated (" + std::to_string(std::uint64_t(actual)) + " of " +
                        std::to_string(std::uint64_t(expected)) + " bytes)",
                    path);
}

// DCMTK swaps OW pixel data in 16-bit words; 32-bit samples from a big-endian file then have
// their halves exchanged. Put them back before DicomImage reads the buffer.
void fixBigEndian32(const std::string& path, DcmDataset& ds) {
    Uint16 bitsAllocated = 0;
    ds.findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
    if (bitsAllocated != 32 || ds.getOriginalXfer() != EXS_BigEndianExplicit)
        return;
    DcmElement* e = nullptr;
    Uint16* words = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, e).bad() || !e || e->getUint16Array(words).bad() ||
        !words)
        throw Error("cannot read 32-bit big-endian pixel data", path);
    const unsigned long n = e->getLength() / 2;
    for (unsigned long i = 0; i + 1 < n; i += 2)
        std::swap(words[i], words[i + 1]);
}

float* outputBuffer(DecodedFrames& out, float* destination, std::size_t capacity) {
    const std::size_t n = std::size_t(out.rows) * out.columns * out.frames;
    if (destination && capacity == n) {
        out.destination = destination;
        return destination;
    }
    out.pixels.resize(n);
    return out.pixels.data();
}

template <typename Raw>
void convertStored(const Raw* in, std::size_t count, int bitsStored, bool isSigned, double slope,
                   double intercept, float* out) {
    const std::uint32_t mask = bitsStored >= 32 ? 0xffffffffu : ((1u << bitsStored) - 1u);
    const std::int64_t signBit = std::int64_t(1) << (bitsStored - 1);
    const bool identity = slope == 1.0 && intercept == 0.0;
    for (std::size_t i = 0; i < count; ++i) {
        std::int64_t v = std::int64_t(std::uint32_t(in[i]) & mask);
        if (isSigned && (v & signBit))
            v -= signBit << 1;
        out[i] = identity ? float(v) : float(double(v) * slope + intercept);
    }
}

// Uncompressed greyscale in 8 or 16 bits with the usual bit layout: by far the most common
// case (CT, MR, CR exports). Converting straight from the element's buffer skips DicomImage's
// two intermediate copies. Anything unusual returns false and goes through DicomImage.
bool decodeNativeGrey(const std::string& path, DcmDataset& ds, int rows, int cols, int frames,
                      double slope, double intercept, float* destination, std::size_t capacity,
                      DecodedFrames& out) {
    const DcmXfer xfer(ds.getOriginalXfer());
    if (xfer.isEncapsulated() || ds.tagExists(DCM_ModalityLUTSequence))
        return false;
    const std::string photometric = getString(ds, DCM_PhotometricInterpretation);
    Uint16 spp = 1, bitsAllocated = 0, bitsStored = 0, highBit = 0, representation = 0;
    ds.findAndGetUint16(DCM_SamplesPerPixel, spp);
    ds.findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
    ds.findAndGetUint16(DCM_BitsStored, bitsStored);
    ds.findAndGetUint16(DCM_HighBit, highBit);
    ds.findAndGetUint16(DCM_PixelRepresentation, representation);
    if (spp != 1 || (photometric != "MONOCHROME1" && photometric != "MONOCHROME2") ||
        (bitsAllocated != 8 && bitsAllocated != 16) || bitsStored == 0 ||
        bitsStored > bitsAllocated || highBit != bitsStored - 1)
        return false;
    DcmElement* element = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, element).bad() || !element)
        return false;
    const std::size_t count = std::size_t(rows) * cols * frames;
    out.rows = rows;
    out.columns = cols;
    out.frames = frames;
    if (bitsAllocated == 16) {
        Uint16* words = nullptr;
        if (element->getUint16Array(words).bad() || !words || element->getLength() < count * 2)
            return false;
        float* dst = outputBuffer(out, destination, capacity);
        if (bitsStored == 16 && representation == 1)
            convertMono<Sint16>(words, count, slope, intercept, dst);
        else if (bitsStored == 16)
            convertMono<Uint16>(words, count, slope, intercept, dst);
        else
            convertStored(words, count, bitsStored, representation == 1, slope, intercept, dst);
    } else {
        // 8-bit samples in an OW element of a big-endian file are byte-swapped by DCMTK.
        if (element->ident() != EVR_OB && xfer.isBigEndian())
            return false;
        Uint8* bytes = nullptr;
        if (element->getUint8Array(bytes).bad() || !bytes || element->getLength() < count)
            return false;
        float* dst = outputBuffer(out, destination, capacity);
        convertStored(bytes, count, bitsStored, representation == 1, slope, intercept, dst);
    }
    (void)path;
    out.decoder = "dcmtk-native";
    return true;
}

// DCMTK 3.6.7 (Debian 12) reads the first JPEG fragment's markers to find the sample
// precision before decoding, and never returns when it meets a TEM marker (FF01) before the
// frame header: its loop does not advance past it (fixed in DCMTK 3.6.8). A fuzzed file hung
// the viewer that way. The same walk is done here first, and such data is refused.
bool jpegMarkersWouldHangDcmtk(const Uint8* data, std::size_t size) {
    std::size_t at = 0;
    while (at + 4 < size) {
        if (data[at] != 0xFF)
            return false; // DCMTK gives up here: an error, not a hang
        const Uint8 code = data[at + 1];
        const std::size_t length = (std::size_t(data[at + 2]) << 8) | data[at + 3];
        const bool frameHeader =
            code >= 0xC0 && code <= 0xCF && code != 0xC4 && code != 0xC8 && code != 0xCC;
        if (frameHeader)
            return false;
        if (code == 0x01)
            return true;
        if (code == 0xFF)
            at += 1;
        else if (code >= 0xD0 && code <= 0xD9)
            at += 2; // RSTn, SOI, EOI: no length
        else if (code >= 0xC4)
            at += length + 2;
        else if (code > 0x02 && code <= 0xBF)
            at += 2; // reserved markers without a length
        else
            return false;
    }
    return false;
}

void refuseJpegThatHangsDcmtk(const std::string& path, DcmDataset& ds) {
    const E_TransferSyntax xfer = ds.getOriginalXfer();
    if (xfer != EXS_JPEGProcess1 && xfer != EXS_JPEGProcess2_4 && xfer != EXS_JPEGProcess14 &&
        xfer != EXS_JPEGProcess14SV1)
        return;
    DcmElement* element = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, element).bad() || !element)
        return;
    DcmPixelSequence* fragments = nullptr;
    if (static_cast<DcmPixelData*>(element)
            ->getEncapsulatedRepresentation(xfer, nullptr, fragments)
            .bad() ||
        !fragments)
        return;
    DcmPixelItem* first = nullptr; // item 0 is the offset table
    Uint8* bytes = nullptr;
    if (fragments->getItem(first, 1).bad() || !first || first->getUint8Array(bytes).bad() || !bytes)
        return;
    if (jpegMarkersWouldHangDcmtk(bytes, first->getLength()))
        throw Error("damaged JPEG data (a TEM marker where the frame header belongs)", path);
}

DecodedFrames decodeWithDcmtk(const std::string& path, DcmDataset& ds, int rows, int cols,
                              int frames, float* destination, std::size_t capacity) {
    fixBigEndian32(path, ds);
    // Rescale slope/intercept are applied here in floating point: DCMTK's own modality
    // transform rounds to integers, which loses non-integer slopes (PET, some MR).
    const bool hasModalityLut = ds.tagExists(DCM_ModalityLUTSequence);
    double slope = 1.0, intercept = 0.0;
    if (!hasModalityLut) {
        if (ds.findAndGetFloat64(DCM_RescaleSlope, slope).bad() || slope == 0.0)
            slope = 1.0;
        if (ds.findAndGetFloat64(DCM_RescaleIntercept, intercept).bad())
            intercept = 0.0;
    }
    {
        DecodedFrames native;
        if (decodeNativeGrey(path, ds, rows, cols, frames, slope, intercept, destination, capacity,
                             native))
            return native;
    }
    refuseJpegThatHangsDcmtk(path, ds);
    unsigned long flags = 0;
    if (!hasModalityLut)
        flags |= CIF_IgnoreModalityTransformation;
    DicomImage image(&ds, ds.getOriginalXfer(), flags, 0, 0);
    if (image.getStatus() != EIS_Normal) {
        const DcmXfer x(ds.getOriginalXfer());
        throw Error(std::string("cannot decode pixel data (") +
                        DicomImage::getString(image.getStatus()) + "; transfer syntax " +
                        x.getXferName() + ")",
                    path);
    }

    DecodedFrames out;
    out.rows = int(image.getHeight());
    out.columns = int(image.getWidth());
    out.frames = int(image.getFrameCount());
    out.decoder = "dcmtk";
    if (out.rows != rows || out.columns != cols || out.frames < 1)
        throw Error("decoded size differs from the header", path);
    const std::size_t plane = std::size_t(out.rows) * out.columns;
    float* const pixels = outputBuffer(out, destination, capacity);

    if (image.isMonochrome()) {
        const DiPixel* inter = image.getInterData();
        if (!inter || !inter->getData())
            throw Error("cannot decode pixel data (no intermediate data)", path);
        const std::size_t count = std::min<std::size_t>(inter->getCount(), plane * out.frames);
        const void* data = inter->getData();
        float* dst = pixels;
        switch (inter->getRepresentation()) {
        case EPR_Uint8:
            convertMono<Uint8>(data, count, slope, intercept, dst);
            break;
        case EPR_Sint8:
            convertMono<Sint8>(data, count, slope, intercept, dst);
            break;
        case EPR_Uint16:
            convertMono<Uint16>(data, count, slope, intercept, dst);
            break;
        case EPR_Sint16:
            convertMono<Sint16>(data, count, slope, intercept, dst);
            break;
        case EPR_Uint32:
            convertMono<Uint32>(data, count, slope, intercept, dst);
            break;
        case EPR_Sint32:
            convertMono<Sint32>(data, count, slope, intercept, dst);
            break;
        }
        return out;
    }

    // Colour: DCMTK converts YBR and palette to RGB; we keep luminance only, at full depth.
    const int depth = image.getDepth();
    const int bits = depth <= 8 ? 8 : (depth <= 16 ? 16 : 32);
    for (int f = 0; f < out.frames; ++f) {
        const void* rgb = image.getOutputData(bits, f, 0);
        if (!rgb)
            throw Error("cannot convert colour frame " + std::to_string(f), path);
        float* dst = pixels + plane * f;
        if (bits == 8)
            convertRgb<Uint8>(rgb, plane, dst);
        else if (bits == 16)
            convertRgb<Uint16>(rgb, plane, dst);
        else
            convertRgb<Uint32>(rgb, plane, dst);
        image.deleteOutputData();
    }
    return out;
}

} // namespace

DecodedFrames decodeFile(const std::string& path, float* destination, std::size_t capacity) {
    registerCodecs();
    DcmFileFormat ff;
    OFCondition st = ff.loadFile(path.c_str());
    if (st.bad())
        throw Error(std::string("not a readable DICOM file (") + st.text() + ")", path);
    DcmDataset& ds = *ff.getDataset();
    Uint16 rows = 0, cols = 0, spp = 1;
    ds.findAndGetUint16(DCM_Rows, rows);
    ds.findAndGetUint16(DCM_Columns, cols);
    ds.findAndGetUint16(DCM_SamplesPerPixel, spp);
    Sint32 frames = 1;
    if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1)
        frames = 1;
    if (!ds.tagExists(DCM_PixelData)) {
        if (ds.tagExists(DCM_FloatPixelData) || ds.tagExists(DCM_DoubleFloatPixelData))
            throw Error("float pixel data is not supported", path);
        throw Error("no pixel data", path);
    }
    checkSize(path, ds, rows, cols, frames, spp);
    const E_TransferSyntax xfer = ds.getOriginalXfer();
    if (isJpeg2000(xfer))
        return decodeWithGdcm(path, destination, capacity, rows, cols, int(frames));
    return decodeWithDcmtk(path, ds, rows, cols, frames, destination, capacity);
}

} // namespace spinelens::dicom
