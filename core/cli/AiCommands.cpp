#include "cli/AiCommands.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/DefaultModels.h"
#include "ai/Explainer.h"
#include "ai/TorchModel.h"
#include "cli/Commands.h"
#include "image/VolumeExport.h"
#include "image/WindowLevel.h"
#include "raster/RasterIO.h"
#include "report/AiReportMaker.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>

namespace spinelens::cli {
namespace {

nlohmann::json probabilitiesJson(const ai::ModelCard& card, const std::vector<float>& p) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t c = 0; c < card.classes.size(); ++c)
        j[card.classes[c]] = p[c];
    return j;
}

// {"score", "threshold", "inDomain"[, "reason"]}, or null for a package without a domain model.
nlohmann::json domainJson(const ai::DomainCheck& d) {
    if (!d.checked)
        return nullptr;
    nlohmann::json j{{"score", d.score}, {"threshold", d.threshold}, {"inDomain", d.inDomain}};
    if (!d.reason.empty())
        j["reason"] = d.reason;
    return j;
}

constexpr const char* kOutOfDomainNote =
    "outside this model's training data: no finding (rawProbabilities are shown for inspection "
    "only)";

// One image's answer. An image out of domain has no finding: its probabilities are kept
// under another name so that nothing reads them as one by mistake.
void addPrediction(nlohmann::json& line, const ai::ModelCard& card, const ai::Prediction& p) {
    line["domain"] = domainJson(p.domain);
    if (p.domain.inDomain) {
        line["probabilities"] = probabilitiesJson(card, p.probabilities);
        line["predicted"] = card.classes[std::size_t(p.predicted)];
    } else {
        line["predicted"] = nullptr;
        line["rawProbabilities"] = probabilitiesJson(card, p.probabilities);
        line["note"] = kOutOfDomainNote;
    }
}

void printFailures(const std::vector<FileFailure>& failures, std::ostream& err) {
    for (const auto& f : failures)
        err << "spinelens-cli: " << f.path << ": " << f.reason << '\n';
}

// Classifies one series and prints its lines; false when anything in it could not be read or
// assessed (the rest of the series still printed).
bool classifySeries(const ai::Classifier& classifier, const ai::ModelCard& card,
                    const SeriesInfo& series, bool anyModality, std::ostream& out,
                    std::ostream& err) {
    const std::string mismatch = ai::modalityMismatch(card.name, card.modality, series.modality,
                                                      series.kind == SourceKind::Raster);
    if (!mismatch.empty() && !anyModality) {
        err << "spinelens-cli: " << series.slices.front().path << ": " << mismatch
            << " (--any-modality runs it anyway)\n";
        return false;
    }
    LoadReport report;
    std::shared_ptr<Volume> volume;
    ai::SeriesPrediction sp;
    try {
        volume = loadSeries(series, &report);
        printFailures(report.failures, err);
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return false;
    }
    try {
        sp = classifier.predictSeries(*volume, &series);
    } catch (const Error& e) {
        err << "spinelens-cli: " << series.slices.front().path << ": " << e.reason() << '\n';
        return false;
    }
    for (int k = 0; k < volume->depth; ++k) {
        const SliceSource& src = series.slices[std::size_t(k)];
        nlohmann::json line = {{"path", src.path}, {"model", card.name + " " + card.version}};
        addPrediction(line, card, sp.slices[std::size_t(k)]);
        if (!src.sopInstanceUid.empty())
            line["sopInstanceUid"] = src.sopInstanceUid;
        if (src.frame > 0)
            line["frame"] = src.frame;
        out << jsonText(line) << '\n';
    }
    if (volume->depth > 1) {
        // Aggregated over the in-domain slices only.
        nlohmann::json line = {{"seriesInstanceUid", series.seriesInstanceUid},
                               {"slices", volume->depth},
                               {"outOfDomainSlices", sp.outOfDomainSlices},
                               {"model", card.name + " " + card.version}};
        if (sp.predictedByMax >= 0) {
            line["maxProbabilities"] = probabilitiesJson(card, sp.maxProbability);
            line["meanProbabilities"] = probabilitiesJson(card, sp.meanProbability);
            line["predictedByMax"] = card.classes[std::size_t(sp.predictedByMax)];
        } else {
            line["predictedByMax"] = nullptr;
            line["note"] = "no slice is within this model's training data: no finding";
        }
        out << jsonText(line) << '\n';
    }
    return report.failures.empty();
}

} // namespace

int runClassify(const ClassifyOptions& o, std::ostream& out, std::ostream& err) {
    try {
        ai::setTorchThreads(0);
        auto package = ai::ModelPackage::load(o.modelFolder);
        const ai::Classifier classifier(package);
        const ai::ModelCard& card = package->card();
        err << "model: " << card.headline() << '\n';
        // One scan of all paths, or one per path when they must not be merged.
        std::vector<std::vector<std::string>> groups;
        if (o.eachFile)
            for (const std::string& path : o.paths)
                groups.push_back({path});
        else
            groups.push_back(o.paths);
        bool problems = false;
        bool anySeries = false;
        for (const auto& group : groups) {
            const ScanResult scan = spinelens::scan(group);
            printFailures(scan.failures, err);
            problems = problems || !scan.failures.empty();
            anySeries = anySeries || !scan.series.empty();
            for (const SeriesInfo& series : scan.series)
                if (!classifySeries(classifier, card, series, o.anyModality, out, err))
                    problems = true;
        }
        if (!anySeries)
            return InputsFailed;
        return problems ? InputsFailed : Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

int runExplain(const ExplainOptions& o, std::ostream& out, std::ostream& err) {
    try {
        ai::setTorchThreads(0);
        const ai::ExplainMethod method = ai::explainMethodFromName(o.method);
        auto package = ai::ModelPackage::load(o.modelFolder);
        const ai::ModelCard& card = package->card();
        err << "model: " << card.headline() << '\n';
        const ScanResult scan = spinelens::scan({o.path});
        printFailures(scan.failures, err);
        if (scan.series.empty())
            throw Error("no image found", o.path);
        if (o.seriesIndex < 0 || o.seriesIndex >= int(scan.series.size()))
            throw Error("no series number " + std::to_string(o.seriesIndex), o.path);
        const SeriesInfo& series = scan.series[std::size_t(o.seriesIndex)];
        const std::string mismatch = ai::modalityMismatch(card.name, card.modality, series.modality,
                                                          series.kind == SourceKind::Raster);
        if (!mismatch.empty() && !o.anyModality)
            throw Error(mismatch + " (--any-modality runs it anyway)", o.path);
        auto volume = loadSeries(series);
        const int k = o.slice < 0 ? volume->depth / 2 : o.slice;
        if (k >= volume->depth)
            throw Error("slice " + std::to_string(k) + " out of range", o.path);
        const ai::GreyImage image{volume->slice(k), volume->width, volume->height,
                                  &series.sliceDisplay(k)};

        const ai::Prediction prediction = ai::Classifier(package).predict(image);
        if (!prediction.domain.inDomain && !o.allowOutOfDomain) {
            out << nlohmann::json{{"slice", k},
                                  {"domain", domainJson(prediction.domain)},
                                  {"out", nullptr},
                                  {"note", "outside this model's training data: no heatmap "
                                           "written (--allow-out-of-domain writes it anyway)"},
                                  {"model", card.name + " " + card.version}}
                       .dump()
                << '\n';
            err << "spinelens-cli: " << o.path << ": outside this model's training data ("
                << (prediction.domain.reason.empty()
                        ? "domain score " + std::to_string(prediction.domain.score) +
                              " > threshold " + std::to_string(prediction.domain.threshold)
                        : prediction.domain.reason)
                << "); no heatmap written\n";
            return InputsFailed;
        }
        int classIndex = -1;
        if (o.className.empty()) {
            classIndex = prediction.predicted;
        } else {
            for (std::size_t c = 0; c < card.classes.size(); ++c)
                if (card.classes[c] == o.className)
                    classIndex = int(c);
            if (classIndex < 0)
                throw Error("the model has no class \"" + o.className + "\"", o.modelFolder);
        }
        const ai::Heatmap map = ai::explain(*package, method, image, classIndex);

        const std::vector<std::uint8_t> rgb = report::heatmapRgb(image, map, o.opacity);
        raster::writePng8(o.outPng, volume->width, volume->height, 3, rgb.data());
        if (!o.rawOut.empty()) {
            Volume raw;
            raw.width = volume->width;
            raw.height = volume->height;
            raw.depth = 1;
            raw.geometry = volume->geometry;
            raw.voxels.assign(map.values.begin(), map.values.end());
            exportVolume(raw, o.rawOut);
        }
        nlohmann::json line{{"method", map.method},
                            {"class", card.classes[std::size_t(classIndex)]},
                            {"slice", k},
                            {"peak", map.maximum},
                            {"out", o.outPng},
                            {"domain", domainJson(prediction.domain)},
                            {"model", card.name + " " + card.version}};
        if (!prediction.domain.inDomain)
            line["note"] = "outside this model's training data: written on request "
                           "(--allow-out-of-domain), not a finding";
        out << jsonText(line) << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    }
}

} // namespace spinelens::cli
