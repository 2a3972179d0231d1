#include "dicom/FastHeader.h"

#include "text/CharacterSet.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace spinelens::dicom {
namespace {

constexpr std::size_t kSmallRead = 8 * 1024;
constexpr std::size_t kReadBytes = 256 * 1024;
constexpr std::uint32_t kPixelData = 0x7FE00010;
constexpr std::uint32_t kItem = 0xFFFEE000, kItemEnd = 0xFFFEE00D, kSequenceEnd = 0xFFFEE0DD;
constexpr std::uint32_t kUndefined = 0xFFFFFFFF;

// The attributes we keep: tag -> raw value bytes.
const std::uint32_t kWanted[] = {
    0x00080005, 0x00080016, 0x00080018, 0x00080020, 0x00080030, 0x00080050, 0x00080060,
    0x00080070, 0x00081030, 0x0008103E, 0x00100010, 0x00100020, 0x00100030, 0x00100040,
    0x00180015, 0x00180050, 0x00180088, 0x00181164, 0x0020000D, 0x0020000E, 0x00200011,
    0x00200013, 0x00200032, 0x00200037, 0x00280002, 0x00280004, 0x00280008, 0x00280010,
    0x00280011, 0x00280030, 0x00280101, 0x00281050, 0x00281051, 0x00281056};

bool wanted(std::uint32_t tag) {
    for (std::uint32_t t : kWanted)
        if (t == tag)
            return true;
    return false;
}

bool longLengthVr(const char* vr) {
    static const char* kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                  "SV", "UC", "UN", "UR", "UT", "UV"};
    for (const char* v : kLong)
        if (vr[0] == v[0] && vr[1] == v[1])
            return true;
    return false;
}

struct Cursor {
    const std::uint8_t* p;
    const std::uint8_t* end;
    const std::uint8_t* begin;     ///< start of the file's bytes
    std::uint32_t pixelLength = 0; ///< set when the walk stops at the pixel data
    std::size_t pixelOffset = 0;   ///< file offset of the pixel data value
    std::size_t left() const { return std::size_t(end - p); }
    std::uint16_t u16() {
        std::uint16_t v = std::uint16_t(p[0] | (p[1] << 8));
        p += 2;
        return v;
    }
    std::uint32_t u32() {
        std::uint32_t v = std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) |
                          (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[3]) << 24);
        p += 4;
        return v;
    }
};

enum class Outcome { Ok, PixelData, End, Unsupported };

struct Element {
    std::uint32_t tag = 0;
    std::uint32_t length = 0;
    bool unknownVr = false; ///< explicit VR "UN"
};

bool readElementHeader(Cursor& c, bool explicitVr, Element& e) {
    if (c.left() < 8)
        return false;
    const std::uint16_t group = c.u16(), elem = c.u16();
    e.tag = (std::uint32_t(group) << 16) | elem;
    e.unknownVr = false;
    if (group == 0xFFFE || !explicitVr) {
        e.length = c.u32();
        return true;
    }
    const char vr[2] = {char(c.p[0]), char(c.p[1])};
    c.p += 2;
    if (longLengthVr(vr)) {
        if (c.left() < 6)
            return false;
        c.p += 2;
        e.length = c.u32();
        e.unknownVr = vr[0] == 'U' && vr[1] == 'N';
    } else {
        e.length = c.u16();
    }
    return true;
}

Outcome skipItems(Cursor& c, bool explicitVr, int depth);

// Walks one level of elements, keeping wanted top-level values, until the pixel data, an item
// delimiter (inside an item), or the end of the bytes read.
Outcome walk(Cursor& c, bool explicitVr, int depth, std::map<std::uint32_t, std::string>* keep) {
    while (c.left() > 0) {
        Element e;
        if (!readElementHeader(c, explicitVr, e))
            return c.left() == 0 ? Outcome::End : Outcome::Unsupported;
        if (e.tag == kItemEnd)
            return depth > 0 ? Outcome::Ok : Outcome::Unsupported;
        if (depth == 0 && e.tag == kPixelData) {
            c.pixelLength = e.length;
            c.pixelOffset = std::size_t(c.p - c.begin);
            return Outcome::PixelData;
        }
        // Enhanced multi-frame geometry lives in functional groups: leave those to DCMTK.
        if (depth == 0 && (e.tag == 0x52009229 || e.tag == 0x52009230 || e.tag == 0x00283000 ||
                           e.tag == 0x00283010))
            return Outcome::Unsupported;
        if (e.length == kUndefined) {
            // Undefined length outside the pixel data is a sequence; an explicit-VR UN of
            // undefined length holds implicit-VR items.
            const bool itemsExplicit = explicitVr && !e.unknownVr;
            if (skipItems(c, itemsExplicit, depth + 1) != Outcome::Ok)
                return Outcome::Unsupported;
            continue;
        }
        if (e.length > c.left())
            return Outcome::Unsupported; // value runs past what we read: let DCMTK handle it
        if (keep && depth == 0 && wanted(e.tag) && e.unknownVr)
            return Outcome::Unsupported; // DCMTK decides how to show values of unknown VR
        if (keep && depth == 0 && wanted(e.tag))
            (*keep)[e.tag].assign(reinterpret_cast<const char*>(c.p), e.length);
        c.p += e.length;
    }
    return Outcome::End;
}

Outcome skipItems(Cursor& c, bool explicitVr, int depth) {
    if (depth > 16)
        return Outcome::Unsupported;
    while (c.left() >= 8) {
        Element e;
        const std::uint16_t group = std::uint16_t(c.p[0] | (c.p[1] << 8));
        if (group != 0xFFFE)
            return Outcome::Unsupported;
        readElementHeader(c, explicitVr, e);
        if (e.tag == kSequenceEnd)
            return Outcome::Ok;
        if (e.tag != kItem)
            return Outcome::Unsupported;
        if (e.length == kUndefined) {
            const Outcome o = walk(c, explicitVr, depth, nullptr);
            if (o != Outcome::Ok)
                return Outcome::Unsupported;
        } else {
            if (e.length > c.left())
                return Outcome::Unsupported;
            c.p += e.length;
        }
    }
    return Outcome::Unsupported;
}

std::string text(const std::map<std::uint32_t, std::string>& v, std::uint32_t tag) {
    auto it = v.find(tag);
    if (it == v.end())
        return {};
    return text::trimmed(it->second);
}

// Value number `index` of a backslash-separated decimal string; false when absent or not a number.
bool number(const std::map<std::uint32_t, std::string>& v, std::uint32_t tag, int index,
            double& out) {
    const std::string s = text(v, tag);
    std::size_t pos = 0;
    for (int i = 0; i < index; ++i) {
        pos = s.find('\\', pos);
        if (pos == std::string::npos)
            return false;
        ++pos;
    }
    const std::size_t stop = s.find('\\', pos);
    const std::string part =
        s.substr(pos, stop == std::string::npos ? std::string::npos : stop - pos);
    char* endp = nullptr;
    out = std::strtod(part.c_str(), &endp);
    while (endp && *endp == ' ')
        ++endp;
    return !part.empty() && endp && *endp == '\0' && endp != part.c_str();
}

bool us(const std::map<std::uint32_t, std::string>& v, std::uint32_t tag, std::uint16_t& out) {
    auto it = v.find(tag);
    if (it == v.end() || it->second.size() < 2)
        return false;
    out = std::uint16_t(std::uint8_t(it->second[0]) | (std::uint8_t(it->second[1]) << 8));
    return true;
}

} // namespace

namespace {
bool parseBuffer(const std::string& path, const std::uint8_t* data, std::size_t got, bool wholeFile,
                 FileHeader& h, Cursor* stoppedAt);
} // namespace

bool readHeaderFast(const std::string& path, FileHeader& h) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f)
        return false;
    // Most headers fit in a few KiB; read more only when the pixel data was not reached.
    std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[kReadBytes]);
    std::size_t got = std::fread(buffer.get(), 1, kSmallRead, f.get());
    Cursor stop{nullptr, nullptr, nullptr};
    bool ok = parseBuffer(path, buffer.get(), got, got < kSmallRead, h, &stop);
    if (!ok && got == kSmallRead) {
        got += std::fread(buffer.get() + got, 1, kReadBytes - got, f.get());
        h = FileHeader();
        ok = parseBuffer(path, buffer.get(), got, got < kReadBytes, h, &stop);
    }
    if (!ok)
        return false;
    if (h.hasPixelData && stop.pixelLength != kUndefined) {
        // A file cut short inside its pixel data: DCMTK reports it properly.
        if (std::fseek(f.get(), 0, SEEK_END) != 0)
            return false;
        const long size = std::ftell(f.get());
        if (size < 0 || std::uint64_t(size) < std::uint64_t(stop.pixelOffset) + stop.pixelLength)
            return false;
    }
    return true;
}

namespace {
bool parseBuffer(const std::string& path, const std::uint8_t* data, std::size_t got, bool wholeFile,
                 FileHeader& h, Cursor* stoppedAt) {
    if (got < 132 + 12 || std::memcmp(data + 128, "DICM", 4) != 0)
        return false;
    Cursor c{data + 132, data + got, data};

    // File meta information: always explicit VR little endian, group 0002.
    std::string transferSyntax;
    while (c.left() >= 8 && c.p[0] == 0x02 && c.p[1] == 0x00) {
        Element e;
        if (!readElementHeader(c, true, e) || e.length == kUndefined || e.length > c.left())
            return false;
        if (e.tag == 0x00020010)
            transferSyntax.assign(reinterpret_cast<const char*>(c.p), e.length);
        c.p += e.length;
    }
    while (!transferSyntax.empty() &&
           (transferSyntax.back() == '\0' || transferSyntax.back() == ' '))
        transferSyntax.pop_back();
    if (transferSyntax.empty() || transferSyntax == "1.2.840.10008.1.2.2" ||
        transferSyntax == "1.2.840.10008.1.2.1.99")
        return false; // big endian and deflated: DCMTK
    const bool explicitVr = transferSyntax != "1.2.840.10008.1.2";

    std::map<std::uint32_t, std::string> v;
    const Outcome o = walk(c, explicitVr, 0, &v);
    *stoppedAt = c;
    if (o == Outcome::Unsupported || (o == Outcome::End && !wholeFile))
        return false;
    // A file without SOP class and image attributes is not for us to judge.
    if (!v.count(0x00080016) && !v.count(0x00280010))
        return false;

    SeriesInfo& s = h.series;
    s.patientName = text(v, 0x00100010);
    s.patientId = text(v, 0x00100020);
    s.patientSex = text(v, 0x00100040);
    s.patientBirthDate = text(v, 0x00100030);
    s.studyInstanceUid = text(v, 0x0020000D);
    s.studyDate = text(v, 0x00080020);
    s.studyTime = text(v, 0x00080030);
    s.studyDescription = text(v, 0x00081030);
    s.accessionNumber = text(v, 0x00080050);
    s.seriesInstanceUid = text(v, 0x0020000E);
    s.seriesDescription = text(v, 0x0008103E);
    s.modality = text(v, 0x00080060);
    s.bodyPartExamined = text(v, 0x00180015);
    s.manufacturer = text(v, 0x00080070);
    s.photometric = text(v, 0x00280004);
    decodeTextAttributes(s, text(v, 0x00080005));
    s.transferSyntaxUid = transferSyntax;
    h.sopClassUid = text(v, 0x00080016);
    double number0 = 0;
    if (number(v, 0x00200011, 0, number0))
        s.seriesNumber = int(number0);
    std::uint16_t rows = 0, cols = 0, spp = 1;
    us(v, 0x00280010, rows);
    us(v, 0x00280011, cols);
    us(v, 0x00280002, spp);
    s.rows = rows;
    s.columns = cols;
    s.samplesPerPixel = spp;
    double frames = 1;
    if (number(v, 0x00280008, 0, frames) && frames > 1)
        h.numberOfFrames = int(frames);
    h.hasPixelData = o == Outcome::PixelData;
    h.slice.path = path;
    h.slice.sopInstanceUid = text(v, 0x00080018);
    if (number(v, 0x00200013, 0, number0))
        h.slice.instanceNumber = int(number0);

    double rs = 0, cs = 0;
    if (number(v, 0x00280030, 0, rs) && number(v, 0x00280030, 1, cs) && rs > 0 && cs > 0) {
        s.spacingSource = "PixelSpacing";
    } else if (number(v, 0x00181164, 0, rs) && number(v, 0x00181164, 1, cs) && rs > 0 && cs > 0) {
        s.spacingSource = "ImagerPixelSpacing";
    } else {
        s.spacingSource = "none";
        rs = cs = 1.0;
    }
    s.geometry.spacing = {cs, rs, 1.0};
    s.geometry.spacingKnown = s.spacingSource != "none";
    number(v, 0x00180050, 0, h.sliceThickness);
    number(v, 0x00180088, 0, h.spacingBetweenSlices);

    std::array<double, 6> orientation{};
    bool ok = true;
    for (int i = 0; i < 6 && ok; ++i)
        ok = number(v, 0x00200037, i, orientation[std::size_t(i)]);
    if (ok) {
        h.hasOrientation = true;
        h.orientation = orientation;
    }
    ok = true;
    for (int i = 0; i < 3 && ok; ++i)
        ok = number(v, 0x00200032, i, h.slice.position[std::size_t(i)]);
    h.slice.hasPosition = ok;
    if (!ok)
        h.slice.position = {0, 0, 0};

    double wc = 0, ww = 0;
    if (number(v, 0x00281050, 0, wc) && number(v, 0x00281051, 0, ww) && ww > 0 &&
        std::isfinite(wc) && std::isfinite(ww)) {
        s.display.hasWindow = true;
        s.display.windowCenter = wc;
        s.display.windowWidth = ww;
    }
    s.display.function = voiFunctionFromName(text(v, 0x00281056));
    std::uint16_t bitsStored = 0;
    if (us(v, 0x00280101, bitsStored))
        s.display.bitsStored = bitsStored;
    s.display.invert = s.photometric == "MONOCHROME1";
    return true;
}
} // namespace

} // namespace spinelens::dicom
