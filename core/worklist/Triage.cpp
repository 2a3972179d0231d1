#include "worklist/Triage.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/DefaultModels.h"
#include "ai/FlagScore.h"
#include "ai/ModelPackage.h"
#include "eval/Evaluator.h"
#include "report/AiReportMaker.h"
#include "study/SeriesLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace spinelens::worklist {
namespace {

std::string seriesName(const SeriesInfo& s) {
    return s.displayName();
}

// One series' answer: its best in-domain slice and score, or why it could not be assessed.
struct SeriesAnswer {
    bool assessed = false;
    double score = -1;
    int bestSlice = -1;
    std::vector<float> probabilities;
    std::string domain, problem;
};

} // namespace

Triage::Triage(TriageSettings settings) : settings_(std::move(settings)) {}
Triage::~Triage() = default;

std::shared_ptr<const ai::ModelPackage> Triage::package(const std::string& folder) {
    auto it = packages_.find(folder);
    if (it != packages_.end())
        return it->second;
    std::shared_ptr<const ai::ModelPackage> p = ai::ModelPackage::load(folder);
    packages_[folder] = p;
    return p;
}

std::string Triage::packageHash(const std::string& folder) {
    auto it = packageHashes_.find(folder);
    if (it == packageHashes_.end())
        it = packageHashes_.emplace(folder, eval::packageHash(folder)).first;
    return it->second;
}

TriageOutcome Triage::run(const std::vector<SeriesInfo>& series,
                          const ThresholdLookup& thresholdFor) {
    TriageOutcome best;
    best.lane = Lane::NotAssessed;
    std::vector<std::string> problems;
    bool anyAssessed = false;
    std::string bestPackage; // the folder of the model behind the best score
    for (const SeriesInfo& s : series) {
        const bool raster = s.kind == SourceKind::Raster;
        const std::string modality = raster ? "PNG" : s.modality;
        const auto assigned = settings_.assigned.find(modality);
        std::string folder;
        if (assigned != settings_.assigned.end()) {
            folder = assigned->second;
        } else {
            const ai::DefaultModel d =
                ai::defaultModelFor(s.modality, raster, settings_.modelsDirectory);
            if (d.folder.empty()) {
                problems.push_back(seriesName(s) + ": " + d.reason);
                continue;
            }
            folder = d.folder;
        }
        std::shared_ptr<const ai::ModelPackage> pkg;
        try {
            pkg = package(folder);
        } catch (const Error& e) {
            problems.push_back(seriesName(s) + ": the model could not be loaded (" + e.what() +
                               ")");
            continue;
        }
        const ai::ModelCard& card = pkg->card();
        const std::string mismatch =
            ai::modalityMismatch(card.name, card.modality, s.modality, raster);
        if (!mismatch.empty()) {
            problems.push_back(seriesName(s) + ": " + mismatch);
            continue;
        }
        SeriesAnswer a;
        try {
            const std::shared_ptr<const Volume> volume = loadSeries(s);
            const ai::Classifier classifier(pkg);
            const ai::SeriesPrediction sp = classifier.predictSeries(*volume, &s);
            const std::vector<float> scores = ai::flagScores(card, sp);
            const int inDomain = volume->depth - sp.outOfDomainSlices;
            const bool checked = pkg->domain() != nullptr;
            // The report's rule: a series is assessed when at least half its slices are like
            // the training data (and the model can tell).
            a.assessed = checked && inDomain > 0 && 2 * inDomain >= volume->depth;
            a.domain = checked ? std::to_string(inDomain) + " of " + std::to_string(volume->depth) +
                                     " image(s) within the model's training data"
                               : "the model has no domain check";
            for (int k = 0; k < int(scores.size()); ++k)
                if (scores[std::size_t(k)] > a.score) {
                    a.score = scores[std::size_t(k)];
                    a.bestSlice = k;
                }
            if (a.bestSlice >= 0)
                a.probabilities = sp.slices[std::size_t(a.bestSlice)].probabilities;
            if (!a.assessed)
                a.problem = seriesName(s) + ": " + a.domain +
                            (checked ? " (fewer than half: outside what " + card.name + " knows)"
                                     : ", so it cannot say whether it can assess them");
        } catch (const Error& e) {
            a.problem = seriesName(s) + ": unreadable (" + e.what() + ")";
        } catch (const std::exception& e) {
            a.problem = seriesName(s) + ": the model failed (" + e.what() + ")";
        }
        if (!a.assessed) {
            problems.push_back(a.problem);
            continue;
        }
        if (anyAssessed && a.score <= best.score)
            continue;
        anyAssessed = true;
        best.score = a.score;
        best.model = card.name;
        best.modelVersion = card.version;
        best.modelHash = report::algorithmIdentity(*pkg).fileHash;
        bestPackage = folder;
        best.bestSeriesUid = s.seriesInstanceUid;
        best.bestSlice = a.bestSlice;
        best.bestPath = s.slices[std::size_t(a.bestSlice)].path;
        best.domain = a.domain;
        nlohmann::json p = nlohmann::json::object();
        for (std::size_t c = 0; c < card.classes.size() && c < a.probabilities.size(); ++c)
            p[card.classes[c]] = a.probabilities[c];
        best.probabilities = p.dump();
        best.syntheticNote.clear();
        if (card.synthetic)
            best.syntheticNote = "model trained on synthetic data";
        if (!card.clinicallyValidated)
            best.syntheticNote +=
                std::string(best.syntheticNote.empty() ? "" : ", ") + "not clinically validated";
    }
    if (!anyAssessed) {
        best = TriageOutcome{};
        best.lane = Lane::NotAssessed;
        std::string joined;
        for (const std::string& p : problems)
            joined += (joined.empty() ? "" : "; ") + p;
        best.problem = joined.empty() ? "no image series in the study" : joined;
        return best;
    }
    best.threshold = thresholdFor(best.model);
    // An operating point belongs to the package its run evaluated: another package with the
    // same card name (retrained, recalibrated, or assigned by the user) does not inherit it.
    const nlohmann::json provenance =
        nlohmann::json::parse(best.threshold.provenance, nullptr, false);
    const std::string chosenFor =
        provenance.is_object() ? provenance.value("modelHash", std::string()) : std::string();
    std::string thisPackage;
    if (!chosenFor.empty()) {
        try {
            thisPackage = packageHash(bestPackage);
        } catch (const Error& e) { // unknown: the operating point is not applied to it
            thisPackage = std::string("unreadable (") + e.what() + ")";
        }
    }
    if (best.threshold.id != 0 && !chosenFor.empty() && chosenFor != thisPackage) {
        const std::int64_t id = best.threshold.id;
        best.threshold = Threshold{};
        best.threshold.model = best.model;
        best.threshold.provenance = nlohmann::json{
            {"source", "default 0.5: operating point #" + std::to_string(id) +
                           " was chosen for other weights of this model (another package: "
                           "weights, calibration or domain check; the run's is " +
                           chosenFor + ", this one " + thisPackage +
                           ")"}}.dump();
    }
    best.flagged = best.score >= best.threshold.value;
    best.lane = best.flagged ? Lane::Flagged : Lane::NotFlagged;
    // Series the AI could not assess are still said, beside the score of those it could.
    for (const std::string& p : problems)
        best.problem += (best.problem.empty() ? "not assessed: " : "; ") + p;
    return best;
}

std::vector<std::pair<std::string, std::vector<SeriesInfo>>> studiesOf(const ScanResult& scan) {
    std::vector<std::pair<std::string, std::vector<SeriesInfo>>> out;
    for (const SeriesInfo& s : scan.series) {
        const std::string key = s.kind == SourceKind::Raster || s.studyInstanceUid.empty()
                                    ? "file:" + s.slices.front().path
                                    : s.studyInstanceUid;
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const auto& study) { return study.first == key; });
        if (it == out.end())
            out.push_back({key, {s}});
        else
            it->second.push_back(s);
    }
    return out;
}

Entry entryFor(const std::string& studyKey, const std::vector<SeriesInfo>& series,
               const std::string& source) {
    Entry e;
    e.studyUid = studyKey;
    e.source = source;
    std::set<std::string> modalities;
    for (const SeriesInfo& s : series) {
        if (e.patientName.empty())
            e.patientName = s.patientName;
        if (e.patientId.empty())
            e.patientId = s.patientId;
        if (e.studyDate.empty())
            e.studyDate = s.studyDate;
        if (e.description.empty())
            e.description = s.studyDescription;
        modalities.insert(s.kind == SourceKind::Raster ? std::string("PNG/JPEG") : s.modality);
    }
    for (const std::string& m : modalities)
        e.modalities += (e.modalities.empty() ? "" : "\\") + m;
    return e;
}

} // namespace spinelens::worklist
