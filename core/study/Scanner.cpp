#include "study/Scanner.h"

#include "Error.h"
#include "dicom/DicomHeader.h"
#include "raster/RasterIO.h"
#include "util/Parallel.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace spinelens {
namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

// Files that sit next to images in exported studies but are never images themselves.
bool isKnownNonImage(const fs::path& p) {
    static const std::set<std::string> kExt = {".TXT", ".JSON", ".CSV", ".XML",  ".HTML", ".MD",
                                               ".PY",  ".GZ",   ".ZIP", ".DUMP", ".INI",  ".LOG",
                                               ".PDF", ".EXE",  ".INF", ".NII",  ".NRRD", ".MHA"};
    const std::string name = p.filename().string();
    return kExt.count(upper(p.extension().string())) > 0 || (!name.empty() && name[0] == '.');
}

struct Collected {
    std::vector<std::string> files;
    std::vector<FileFailure> failures;
    std::vector<FileFailure> skipped;
    std::set<std::string> seen;

    void addFile(const fs::path& p) {
        // Lexical normalisation only: resolving symlinks costs several system calls per
        // file, which shows when a folder holds thousands of slices.
        std::error_code ec;
        const fs::path absolute = fs::absolute(p, ec);
        const std::string key = (ec ? p : absolute).lexically_normal().string();
        if (seen.insert(key).second)
            files.push_back(p.string());
    }
};

void collectDicomDir(const fs::path& p, Collected& c) {
    try {
        const auto referenced = dicom::readDicomDir(p.string());
        c.skipped.push_back({p.string(), "DICOMDIR index (" + std::to_string(referenced.size()) +
                                             " files referenced)"});
        for (const auto& f : referenced) {
            std::error_code ec;
            if (fs::is_regular_file(f, ec))
                c.addFile(f);
            else
                c.failures.push_back({f, "referenced by DICOMDIR but missing"});
        }
    } catch (const Error& e) {
        c.failures.push_back({p.string(), e.reason()});
    }
}

void collect(const fs::path& p, Collected& c) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
        c.failures.push_back({p.string(), "does not exist"});
        return;
    }
    if (fs::is_directory(st)) {
        fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
        if (ec) {
            c.failures.push_back({p.string(), "cannot read folder (" + ec.message() + ")"});
            return;
        }
        std::vector<fs::path> found;
        for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) {
                c.failures.push_back(
                    {it->path().string(), "cannot read folder (" + ec.message() + ")"});
                ec.clear();
                continue;
            }
            std::error_code fec;
            if (it->is_regular_file(fec))
                found.push_back(it->path());
            else if (it->is_symlink(fec) && !fs::exists(it->path(), fec))
                c.failures.push_back(
                    {it->path().string(), "not a readable file (broken symbolic link)"});
        }
        std::sort(found.begin(), found.end());
        for (const auto& f : found) {
            if (upper(f.filename().string()) == "DICOMDIR")
                collectDicomDir(f, c);
            else if (isKnownNonImage(f))
                c.skipped.push_back({f.string(), "not an image file"});
            else
                c.addFile(f);
        }
        return;
    }
    if (upper(p.filename().string()) == "DICOMDIR")
        collectDicomDir(p, c);
    else
        c.addFile(p);
}

SeriesInfo rasterSeries(const std::string& path, const raster::RasterInfo& info) {
    SeriesInfo s;
    s.kind = SourceKind::Raster;
    s.seriesInstanceUid = path;
    s.seriesDescription = fs::path(path).filename().string();
    s.rows = info.height;
    s.columns = info.width;
    s.samplesPerPixel = info.sourceChannels;
    s.photometric = info.sourceChannels >= 3 ? "RGB (shown as grey)" : "MONOCHROME2";
    s.sortedBy = "file name";
    s.spacingSource = "none";
    s.display.raster = true;
    s.display.bitsStored = info.bitDepth;
    SliceSource slice;
    slice.path = path;
    slice.display = s.display;
    s.slices.push_back(slice);
    return s;
}

std::string orientationKey(const dicom::FileHeader& h) {
    if (!h.hasOrientation)
        return "-";
    std::ostringstream os;
    os.precision(3);
    for (double v : h.orientation)
        os << std::fixed << (std::abs(v) < 5e-4 ? 0.0 : v) << ',';
    return os.str();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

void sortSlices(SeriesInfo& s, const dicom::FileHeader& first) {
    auto& slices = s.slices;
    Geometry& g = s.geometry;
    if (first.hasOrientation) {
        const auto& o = first.orientation;
        const Vec3 row{o[0], o[1], o[2]}, col{o[3], o[4], o[5]};
        const Vec3 n = cross(row, col);
        g.direction = {row[0], row[1], row[2], col[0], col[1], col[2], n[0], n[1], n[2]};
        g.directionKnown = true;
    }
    const bool allPositioned = std::all_of(slices.begin(), slices.end(),
                                           [](const SliceSource& x) { return x.hasPosition; });
    const Vec3 normal = g.normal();
    auto along = [&](const SliceSource& x) { return dot(x.position, normal); };
    std::set<long long> distinct;
    if (allPositioned && g.directionKnown)
        for (const auto& x : slices)
            distinct.insert(std::llround(along(x) * 1000.0));

    if (allPositioned && g.directionKnown && distinct.size() > 1) {
        std::stable_sort(slices.begin(), slices.end(),
                         [&](const SliceSource& a, const SliceSource& b) {
                             const double da = along(a), db = along(b);
                             if (std::abs(da - db) > 1e-4)
                                 return da < db;
                             return a.instanceNumber < b.instanceNumber;
                         });
        s.sortedBy = "position";
        std::vector<double> gaps;
        for (std::size_t i = 1; i < slices.size(); ++i) {
            const double gap = along(slices[i]) - along(slices[i - 1]);
            if (gap > 1e-4)
                gaps.push_back(gap);
        }
        g.spacing[2] = gaps.empty() ? 1.0 : median(gaps);
    } else {
        const bool haveNumbers =
            std::any_of(slices.begin(), slices.end(),
                        [](const SliceSource& x) { return x.instanceNumber != 0; });
        std::stable_sort(slices.begin(), slices.end(),
                         [&](const SliceSource& a, const SliceSource& b) {
                             if (haveNumbers && a.instanceNumber != b.instanceNumber)
                                 return a.instanceNumber < b.instanceNumber;
                             if (a.path != b.path)
                                 return a.path < b.path;
                             return a.frame < b.frame;
                         });
        s.sortedBy = haveNumbers ? "instance number" : "file name";
        g.spacing[2] = first.spacingBetweenSlices > 0 ? first.spacingBetweenSlices
                       : first.sliceThickness > 0     ? first.sliceThickness
                                                      : 1.0;
    }
    if (!slices.empty() && slices.front().hasPosition)
        g.origin = slices.front().position;
}

} // namespace

namespace dicom {

std::vector<SeriesInfo> groupIntoSeries(std::vector<FileHeader> headers) {
    std::map<std::string, std::vector<FileHeader*>> groups;
    std::vector<std::string> order;
    for (auto& h : headers) {
        const SeriesInfo& s = h.series;
        std::ostringstream key;
        key << s.patientId << '|' << s.studyInstanceUid << '|'
            << (s.seriesInstanceUid.empty()
                    ? "no-uid:" + fs::path(h.slice.path).parent_path().string()
                    : s.seriesInstanceUid)
            << '|' << s.rows << 'x' << s.columns << '|' << orientationKey(h) << '|'
            << (h.numberOfFrames > 1 ? h.slice.path : std::string());
        auto& g = groups[key.str()];
        if (g.empty())
            order.push_back(key.str());
        g.push_back(&h);
    }
    std::vector<SeriesInfo> result;
    for (const auto& key : order) {
        const auto& members = groups[key];
        const FileHeader& first = *members.front();
        SeriesInfo s = first.series;
        for (const FileHeader* h : members) {
            for (int f = 0; f < h->numberOfFrames; ++f) {
                SliceSource slice = h->slice;
                slice.frame = f;
                slice.display = h->series.display;
                if (std::size_t(f) < h->framePositions.size()) {
                    slice.position = h->framePositions[std::size_t(f)];
                    slice.hasPosition = true;
                } else if (h->numberOfFrames > 1) {
                    slice.hasPosition = false; // one position for many frames orders nothing
                }
                s.slices.push_back(slice);
            }
        }
        // A multi-frame object without per-frame positions is shown in stored frame order.
        if (first.numberOfFrames > 1 && first.framePositions.empty()) {
            s.sortedBy = "frame number";
            s.geometry.spacing[2] = first.spacingBetweenSlices > 0 ? first.spacingBetweenSlices
                                    : first.sliceThickness > 0     ? first.sliceThickness
                                                                   : 1.0;
            if (first.hasOrientation) {
                const auto& o = first.orientation;
                const Vec3 n = cross({o[0], o[1], o[2]}, {o[3], o[4], o[5]});
                s.geometry.direction = {o[0], o[1], o[2], o[3], o[4], o[5], n[0], n[1], n[2]};
                s.geometry.directionKnown = true;
            }
            if (first.slice.hasPosition)
                s.geometry.origin = first.slice.position;
        } else {
            sortSlices(s, first);
        }
        result.push_back(std::move(s));
    }
    std::stable_sort(result.begin(), result.end(), [](const SeriesInfo& a, const SeriesInfo& b) {
        return std::tie(a.patientName, a.patientId, a.studyDate, a.studyInstanceUid,
                        a.seriesNumber) < std::tie(b.patientName, b.patientId, b.studyDate,
                                                   b.studyInstanceUid, b.seriesNumber);
    });
    return result;
}

} // namespace dicom

ScanResult scan(const std::vector<std::string>& paths, const ScanOptions& options) {
    Collected c;
    for (const auto& p : paths)
        collect(fs::path(p), c);

    struct Outcome {
        enum { Image, Raster, Skip, Fail } kind = Fail;
        dicom::FileHeader header;
        raster::RasterInfo rasterInfo;
        std::string reason;
    };
    std::vector<Outcome> outcomes(c.files.size());
    parallelFor(
        c.files.size(),
        [&](std::size_t i) {
            Outcome& o = outcomes[i];
            try {
                if (raster::isRasterPath(c.files[i])) {
                    o.rasterInfo = raster::readInfo(c.files[i]);
                    o.kind = Outcome::Raster;
                    return;
                }
                o.header = dicom::readHeader(c.files[i]);
                if (!o.header.hasPixelData && o.header.series.rows > 0) {
                    o.reason = "no pixel data (the header describes an image of " +
                               std::to_string(o.header.series.columns) + " x " +
                               std::to_string(o.header.series.rows) + ")";
                } else if (!o.header.hasPixelData) {
                    o.kind = Outcome::Skip;
                    o.reason = "DICOM object without pixel data (SOP class " +
                               (o.header.sopClassUid.empty() ? std::string("unknown")
                                                             : o.header.sopClassUid) +
                               ")";
                } else if (const std::string why =
                               dicom::unsupportedTransferSyntax(o.header.series.transferSyntaxUid);
                           !why.empty() && o.header.hasPixelData) {
                    o.reason = why;
                } else if (o.header.series.rows <= 0 || o.header.series.columns <= 0) {
                    o.reason = "pixel data without Rows/Columns";
                } else {
                    o.kind = Outcome::Image;
                }
            } catch (const Error& e) {
                o.reason = e.reason();
            } catch (const std::exception& e) {
                o.reason = std::string("unexpected error: ") + e.what();
            }
        },
        options.threads);

    ScanResult result;
    result.failures = std::move(c.failures);
    result.skipped = std::move(c.skipped);
    std::vector<dicom::FileHeader> headers;
    std::vector<SeriesInfo> rasters;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        Outcome& o = outcomes[i];
        switch (o.kind) {
        case Outcome::Image:
            headers.push_back(std::move(o.header));
            break;
        case Outcome::Raster:
            rasters.push_back(rasterSeries(c.files[i], o.rasterInfo));
            break;
        case Outcome::Skip:
            result.skipped.push_back({c.files[i], o.reason});
            break;
        case Outcome::Fail:
            result.failures.push_back({c.files[i], o.reason});
            break;
        }
    }
    result.series = dicom::groupIntoSeries(std::move(headers));
    for (auto& r : rasters)
        result.series.push_back(std::move(r));
    return result;
}

std::string SeriesInfo::displayName() const {
    std::ostringstream os;
    if (kind == SourceKind::Raster) {
        os << seriesDescription << " (X-ray image)";
        return os.str();
    }
    os << "Series " << seriesNumber;
    if (!seriesDescription.empty())
        os << ": " << seriesDescription;
    os << " (" << (modality.empty() ? "?" : modality) << ", " << slices.size()
       << (slices.size() == 1 ? " image)" : " images)");
    return os.str();
}

} // namespace spinelens
