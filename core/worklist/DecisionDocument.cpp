#include "worklist/DecisionDocument.h"

#include "Error.h"
#include "study/Scanner.h"

#include <filesystem>

namespace spinelens::worklist {
namespace {

// A UID as part of a file name: digits and dots, anything else '_'.
std::string uidForFileName(const std::string& uid) {
    std::string name;
    for (char c : uid.substr(0, 64))
        name += (c == '.' || (c >= '0' && c <= '9')) ? c : '_';
    return name.empty() ? "unknown" : name;
}

// The images the decision is about: the one reviewed first, else one per series of the study.
out::SourceImages reviewedImages(const Entry& e) {
    out::SourceImages images;
    if (!e.triage.bestPath.empty() && std::filesystem::exists(e.triage.bestPath)) {
        images.files.push_back(e.triage.bestPath);
        return images;
    }
    if (!e.source.empty()) {
        std::vector<std::string> paths; // a study entered from several paths lists them all
        std::size_t from = 0;
        for (std::size_t at; (at = e.source.find(';', from)) != std::string::npos; from = at + 1)
            paths.push_back(e.source.substr(from, at - from));
        paths.push_back(e.source.substr(from));
        const ScanResult scan = spinelens::scan(paths);
        for (const SeriesInfo& s : scan.series)
            if (s.studyInstanceUid == e.studyUid && !s.slices.empty() &&
                s.kind != SourceKind::Raster)
                images.files.push_back(s.slices.front().path);
    }
    if (images.files.empty())
        throw Error("none of the study's DICOM images can be found any more (its source was " +
                        (e.source.empty() ? std::string("not recorded") : e.source) +
                        "): a review document must reference them",
                    e.studyUid);
    return images;
}

} // namespace

out::ReviewDecision reviewDecision(const Entry& e) {
    if (!e.decision)
        throw Error("no decision is recorded for this study", e.studyUid);
    out::ReviewDecision d;
    d.verdict = e.decision->verdict;
    d.reason = e.decision->reason;
    d.note = e.decision->note;
    d.reviewer = e.decision->user;
    d.decidedAt = e.decision->at;
    const TriageOutcome& t = e.triage;
    d.model = t.model.empty() ? std::string("no model") : t.model + " " + t.modelVersion;
    d.modelHash = t.modelHash;
    d.assessed = t.lane == Lane::Flagged || t.lane == Lane::NotFlagged;
    d.flagged = t.flagged;
    d.score = t.score;
    d.threshold = t.threshold.value;
    d.aiNote = t.syntheticNote;
    return d;
}

out::WrittenObject writeDecisionDocument(const Entry& e, const std::string& folder) {
    const out::ReviewDecision d = reviewDecision(e);
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    const std::string path =
        (std::filesystem::path(folder) / ("review-" + uidForFileName(e.studyUid) + ".dcm"))
            .string();
    return out::writeReviewKos(d, reviewedImages(e), path);
}

} // namespace spinelens::worklist
