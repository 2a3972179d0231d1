#include "data/Dataset.h"

#include "dicom/DicomHeader.h"

#include "Error.h"
#include "data/Csv.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace spinelens::data {
namespace {

bool isImageFile(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".dcm";
}

// Class index for a name under the normalisation rule, or -1.
int classIndex(const std::vector<std::string>& classes, const std::string& name) {
    const std::string key = normaliseClassName(name);
    for (std::size_t i = 0; i < classes.size(); ++i)
        if (normaliseClassName(classes[i]) == key)
            return int(i);
    return -1;
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return s.substr(i);
}

} // namespace

std::vector<int> Dataset::classCounts() const {
    std::vector<int> counts(classes.size(), 0);
    for (const auto& s : samples)
        if (s.label >= 0 && std::size_t(s.label) < counts.size())
            ++counts[std::size_t(s.label)];
    return counts;
}

std::string normaliseClassName(const std::string& name) {
    std::string out;
    for (unsigned char c : name)
        if (c != ' ' && c != '_' && c != '-' && c != '.')
            out += char(std::tolower(c));
    return out;
}

namespace {

// The group a sample belongs to, so that one patient never lands in two splits: a DICOM file's
// PatientID, else its StudyInstanceUID, else the file name (one image, one group).
std::string groupOf(const fs::path& file) {
    std::string ext = file.extension().string();
    for (char& c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".dcm" || ext.empty()) {
        try {
            const dicom::FileHeader h = dicom::readHeader(file.string());
            if (!h.series.patientId.empty())
                return "patient:" + h.series.patientId;
            if (!h.series.studyInstanceUid.empty())
                return "study:" + h.series.studyInstanceUid;
        } catch (const Error&) {
            // Not readable as DICOM here; the loader will say so when the image is used.
        }
    }
    return file.stem().string();
}

} // namespace

Dataset readClassFolders(const std::string& root, const std::vector<std::string>& classNames) {
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw Error("not a folder", root);
    Dataset d;
    d.root = root;
    d.layout = "class-folders";
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(root, ec))
        if (e.is_directory())
            folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    if (classNames.empty()) {
        for (const auto& f : folders)
            d.classes.push_back(f.filename().string());
    } else {
        d.classes = classNames;
    }
    if (d.classes.empty())
        throw Error("no class folders (expected ROOT/<class name>/<images>)", root);
    std::vector<bool> seen(d.classes.size(), false);
    for (const auto& folder : folders) {
        const int label = classIndex(d.classes, folder.filename().string());
        if (label < 0) {
            d.problems.push_back({folder.string(), "folder name matches none of the classes (" +
                                                       std::to_string(d.classes.size()) +
                                                       " known); skipped"});
            continue;
        }
        if (seen[std::size_t(label)])
            d.problems.push_back({folder.string(), "a second folder for class \"" +
                                                       d.classes[std::size_t(label)] +
                                                       "\"; both are used"});
        seen[std::size_t(label)] = true;
        std::vector<fs::path> files;
        for (auto it = fs::recursive_directory_iterator(
                 folder, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file() && isImageFile(it->path()))
                files.push_back(it->path());
        std::sort(files.begin(), files.end());
        if (files.empty())
            d.problems.push_back({folder.string(), "class folder has no PNG, JPEG or DICOM files"});
        for (const auto& f : files)
            d.samples.push_back({f.string(), label, groupOf(f), ""});
    }
    for (std::size_t c = 0; c < d.classes.size(); ++c)
        if (!seen[c])
            d.problems.push_back({(fs::path(root) / d.classes[c]).string(),
                                  "no folder for class \"" + d.classes[c] + "\""});
    return d;
}

Dataset readManifest(const std::string& csvPath, const std::vector<std::string>& classNames) {
    const CsvTable t = readCsv(csvPath);
    const std::size_t pathCol = t.column("path"), labelCol = t.column("label");
    const bool hasSplit = t.hasColumn("split"), hasGroup = t.hasColumn("group");
    const std::size_t splitCol = hasSplit ? t.column("split") : 0,
                      groupCol = hasGroup ? t.column("group") : 0;
    Dataset d;
    d.root = fs::path(csvPath).parent_path().string();
    d.layout = "manifest";
    d.classes = classNames;
    if (d.classes.empty()) {
        std::set<std::string> labels;
        for (const auto& r : t.rows)
            if (labelCol < r.size() && !trim(r[labelCol]).empty())
                labels.insert(trim(r[labelCol]));
        d.classes.assign(labels.begin(), labels.end());
    }
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const auto& r = t.rows[i];
        const std::string where = csvPath + " line " + std::to_string(i + 2);
        if (r.size() < t.header.size()) {
            d.problems.push_back({where, "has " + std::to_string(r.size()) +
                                             " fields, the header has " +
                                             std::to_string(t.header.size()) + "; skipped"});
            continue;
        }
        const std::string label = trim(r[labelCol]);
        const int index = classIndex(d.classes, label);
        if (index < 0) {
            d.problems.push_back(
                {where, "label \"" + label + "\" is not one of the classes; skipped"});
            continue;
        }
        fs::path p = trim(r[pathCol]);
        if (p.is_relative())
            p = fs::path(d.root) / p;
        std::string split = hasSplit ? trim(r[splitCol]) : "";
        std::transform(split.begin(), split.end(), split.begin(),
                       [](unsigned char c) { return char(std::tolower(c)); });
        if (!split.empty() && split != "train" && split != "val" && split != "test") {
            d.problems.push_back(
                {where, "split \"" + split + "\" is not train, val or test; skipped"});
            continue;
        }
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) {
            d.problems.push_back({p.string(), "listed in the manifest but missing; skipped"});
            continue;
        }
        d.samples.push_back(
            {p.lexically_normal().string(), index,
             hasGroup && !trim(r[groupCol]).empty() ? trim(r[groupCol]) : groupOf(p), split});
    }
    return d;
}

Dataset readRsna2024(const std::string& root, const RsnaOptions& options) {
    const fs::path base(root);
    const CsvTable grades = readCsv((base / "train.csv").string());
    const CsvTable series = readCsv((base / "train_series_descriptions.csv").string());
    const std::size_t studyCol = grades.column("study_id");
    const std::size_t sStudy = series.column("study_id"), sSeries = series.column("series_id"),
                      sDescription = series.column("series_description");
    if (grades.header.size() < 2)
        throw Error("no condition/level columns", grades.path);

    Dataset d;
    d.root = root;
    d.layout = "rsna-2024";
    d.classes = {"healthy", "degenerative"};
    std::map<std::string, int> studyLabel;
    for (std::size_t i = 0; i < grades.rows.size(); ++i) {
        const auto& r = grades.rows[i];
        if (r.size() != grades.header.size()) {
            d.problems.push_back({grades.path + " line " + std::to_string(i + 2),
                                  "wrong number of fields; skipped"});
            continue;
        }
        bool graded = false, degenerative = false, bad = false;
        for (std::size_t c = 0; c < r.size(); ++c) {
            if (c == studyCol)
                continue;
            const std::string g = trim(r[c]);
            if (g.empty())
                continue;
            graded = true;
            if (g == "Moderate" || g == "Severe")
                degenerative = true;
            else if (g != "Normal/Mild")
                bad = true;
        }
        const std::string study = trim(r[studyCol]);
        if (bad)
            d.problems.push_back({grades.path + " study " + study,
                                  "grade other than Normal/Mild, Moderate, Severe; skipped"});
        else if (!graded)
            d.problems.push_back(
                {grades.path + " study " + study, "no grade for any level; skipped"});
        else
            studyLabel[study] = degenerative ? 1 : 0;
    }
    std::set<std::string> studiesWithSeries;
    for (const auto& r : series.rows) {
        if (r.size() != series.header.size() || trim(r[sDescription]) != options.seriesType)
            continue;
        const std::string study = trim(r[sStudy]), seriesId = trim(r[sSeries]);
        auto label = studyLabel.find(study);
        if (label == studyLabel.end())
            continue;
        const fs::path folder = base / "train_images" / study / seriesId;
        std::error_code ec;
        if (!fs::is_directory(folder, ec)) {
            d.problems.push_back(
                {folder.string(), "series listed in train_series_descriptions.csv but missing"});
            continue;
        }
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(folder, ec))
            if (e.is_regular_file() && e.path().extension() == ".dcm")
                files.push_back(e.path());
        // Instance numbers are the file names: sort numerically.
        std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
            const std::string x = a.stem().string(), y = b.stem().string();
            return x.size() != y.size() ? x.size() < y.size() : x < y;
        });
        if (files.empty())
            d.problems.push_back({folder.string(), "series folder has no .dcm files"});
        for (const auto& f : files)
            d.samples.push_back({f.string(), label->second, study, ""});
        studiesWithSeries.insert(study);
    }
    for (const auto& [study, label] : studyLabel)
        if (!studiesWithSeries.count(study))
            d.problems.push_back(
                {root + " study " + study, "no \"" + options.seriesType + "\" series; skipped"});
    return d;
}

Dataset openDataset(const std::string& path, const std::vector<std::string>& classNames) {
    const fs::path p(path);
    std::error_code ec;
    if (fs::is_regular_file(p, ec) && p.extension() == ".csv")
        return readManifest(path, classNames);
    if (fs::is_regular_file(p / "train.csv", ec) &&
        fs::is_regular_file(p / "train_series_descriptions.csv", ec))
        return readRsna2024(path);
    return readClassFolders(path, classNames);
}

} // namespace spinelens::data
