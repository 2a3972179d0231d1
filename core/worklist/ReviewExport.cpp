#include "worklist/ReviewExport.h"
#include "util/Csv.h"

#include "Error.h"
#include "ai/FlagScore.h"
#include "study/Scanner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace spinelens::worklist {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// The class the reviewer says the study is, or empty with `why` set.
std::string reviewedClass(const Entry& e, std::string& why) {
    std::vector<std::string> classes;
    try {
        // Kept in a variable: items() of a temporary would outlive the parsed object.
        const nlohmann::json probabilities = nlohmann::json::parse(e.triage.probabilities);
        for (const auto& [name, value] : probabilities.items())
            classes.push_back(name);
    } catch (const nlohmann::json::exception&) {
        why = "the triage kept no class names";
        return {};
    }
    for (const std::string& c : classes)
        if (!e.decision->reason.empty() && lower(c) == lower(e.decision->reason))
            return c;
    const int normal = ai::normalClassIndex(classes);
    if (normal < 0) {
        why = "the model has no normal class and the reason names no class";
        return {};
    }
    if (e.triage.flagged)
        return classes[std::size_t(normal)];
    if (classes.size() == 2)
        return classes[std::size_t(1 - normal)];
    why = "not flagged by a model of " + std::to_string(classes.size()) +
          " classes: give the class as the reason";
    return {};
}

} // namespace

ManifestExport exportDisagreements(const WorklistDb& db, const std::string& path) {
    ManifestExport out;
    std::ostringstream rows;
    rows << "path,label,split,group\n";
    for (const Entry& e : db.entries()) {
        if (!e.decision || e.decision->verdict != "disagree")
            continue;
        if (e.triage.bestSeriesUid.empty() && e.triage.bestPath.empty()) {
            out.leftOut.push_back({e.studyUid, "the AI made no finding to disagree with"});
            continue;
        }
        std::string why;
        const std::string label = reviewedClass(e, why);
        if (label.empty()) {
            out.leftOut.push_back({e.studyUid, why});
            continue;
        }
        // The images of the series the flag came from, as they are on disk now.
        std::vector<std::string> sources;
        std::stringstream split(e.source);
        for (std::string p; std::getline(split, p, ';');)
            if (!p.empty())
                sources.push_back(p);
        const ScanResult scan = spinelens::scan(sources);
        std::set<std::string> files;
        for (const SeriesInfo& s : scan.series)
            if (s.seriesInstanceUid == e.triage.bestSeriesUid ||
                (e.triage.bestSeriesUid.empty() && !s.slices.empty() &&
                 s.slices.front().path == e.triage.bestPath))
                for (const auto& slice : s.slices)
                    files.insert(slice.path);
        if (files.empty()) {
            out.leftOut.push_back({e.studyUid, "its images are no longer at " + e.source});
            continue;
        }
        for (const std::string& f : files)
            rows << csvField(f) << ',' << csvField(label) << ",," << csvField(e.studyUid) << '\n';
        out.rows += int(files.size());
        ++out.studies;
    }
    std::ofstream file(path);
    file << rows.str();
    file.close();
    if (!file)
        throw Error("cannot write the manifest", path);
    return out;
}

} // namespace spinelens::worklist
