#include "cli/ReportCommand.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/DefaultModels.h"
#include "ai/Explainer.h"
#include "ai/ModelPackage.h"
#include "ai/TorchModel.h"
#include "cli/AiCommands.h"
#include "cli/Commands.h"
#include "out/AiReport.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"
#include "util/Hash.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <ostream>

namespace fs = std::filesystem;

namespace spinelens::cli {
namespace {

out::AlgorithmIdentity identity(const ai::ModelPackage& package) {
    const ai::ModelCard& card = package.card();
    out::AlgorithmIdentity a;
    a.name = card.name;
    a.version = card.version;
    Fnv1a hash;
    a.fileHash = hash.addFile((fs::path(package.folder()) / "model.pt").string())
                     ? "fnv1a64:" + hash.hex()
                     : "unknown";
    a.intendedUse = card.intendedUse;
    a.trainingData = card.dataset.empty() ? "not stated" : card.dataset;
    if (card.synthetic)
        a.trainingData += " (synthetic phantoms, not patient images)";
    a.synthetic = card.synthetic;
    a.clinicallyValidated = card.clinicallyValidated;
    char t[64];
    std::snprintf(t, sizeof t, "%.4g", card.temperature);
    a.parameters = card.activation + (card.calibrated ? std::string(", temperature ") + t
                                                      : std::string(", not calibrated"));
    return a;
}

std::string domainWords(const ai::DomainCheck& d) {
    if (!d.checked)
        return "not checked: this model has no domain model";
    char line[200];
    std::snprintf(line, sizeof line, "domain score %.4g %s threshold %.4g", d.score,
                  d.score <= d.threshold ? "<=" : ">", d.threshold);
    std::string words = std::string(d.inDomain ? "within the training data ("
                                               : "outside the "
                                                 "training data (") +
                        line + ")";
    if (!d.reason.empty())
        words += ": " + d.reason;
    return words;
}

} // namespace

int runReport(const ReportOptions& o, std::ostream& out, std::ostream& err) {
    ai::setTorchThreads(0);
    auto package = ai::ModelPackage::load(o.modelFolder);
    const ai::ModelCard& card = package->card();
    err << "model: " << card.headline() << '\n';
    const ScanResult scan = spinelens::scan({o.path});
    for (const auto& f : scan.failures)
        err << "spinelens-cli: " << f.path << ": " << f.reason << '\n';
    if (scan.series.empty())
        throw Error("no image found", o.path);
    if (o.seriesIndex < 0 || o.seriesIndex >= int(scan.series.size()))
        throw Error("no series number " + std::to_string(o.seriesIndex), o.path);
    const SeriesInfo& series = scan.series[std::size_t(o.seriesIndex)];
    if (series.kind == SourceKind::Raster)
        throw Error("a DICOM report needs a DICOM image: a PNG or JPEG X-ray has no patient or "
                    "study to file it under",
                    o.path);
    const std::string mismatch = ai::modalityMismatch(card.name, card.modality, series.modality,
                                                      series.kind == SourceKind::Raster);
    if (!mismatch.empty() && !o.anyModality)
        throw Error(mismatch + " (--any-modality runs it anyway)", o.path);
    auto volume = loadSeries(series);
    const ai::Classifier classifier(package);

    out::AiResult result;
    result.algorithm = identity(*package);
    result.software = std::string("SpineLens ") + SPINELENS_VERSION;
    out::SourceImages sources;
    int heatSlice = -1;
    if (volume->depth == 1) {
        const ai::GreyImage image{volume->slice(0), volume->width, volume->height,
                                  &series.sliceDisplay(0)};
        const ai::Prediction p = classifier.predict(image);
        // A package without a domain model cannot say whether the image is like its training
        // data: no finding is written for it.
        result.assessed = p.domain.checked && p.domain.inDomain;
        result.domainStatement = domainWords(p.domain);
        if (result.assessed) {
            for (std::size_t c = 0; c < card.classes.size(); ++c)
                result.classes.push_back({card.classes[c], p.probabilities[c]});
            result.predicted = p.predicted;
            heatSlice = 0;
        }
        sources.files.push_back(series.slices.front().path);
    } else {
        const ai::SeriesPrediction sp = classifier.predictSeries(*volume, &series);
        const int inDomain = volume->depth - sp.outOfDomainSlices;
        const bool checked = package->domain() != nullptr;
        // A series is assessed only when most of its slices are like the training data: a
        // few in-domain slices of a foreign series are not a basis for a series finding.
        result.assessed = checked && sp.predictedByMax >= 0 && 2 * inDomain >= volume->depth;
        result.domainStatement =
            checked ? std::to_string(inDomain) + " of " + std::to_string(volume->depth) +
                          " slices within the training data" +
                          (result.assessed ? "" : " (fewer than half: no series finding)")
                    : "not checked: this model has no domain model";
        float best = -1;
        for (int k = 0; k < volume->depth; ++k) {
            const ai::Prediction& p = sp.slices[std::size_t(k)];
            if (!p.domain.inDomain)
                continue;
            sources.files.push_back(series.slices[std::size_t(k)].path);
            // The slice most for the predicted class; among equals the one nearest the
            // middle of the series, where the anatomy is.
            const float v =
                result.assessed ? p.probabilities[std::size_t(sp.predictedByMax)] : -1.0f;
            const auto fromMiddle = [&](int s) { return std::abs(2 * s - volume->depth); };
            if (v > best ||
                (v == best && heatSlice >= 0 && fromMiddle(k) < fromMiddle(heatSlice))) {
                best = v;
                heatSlice = result.assessed ? k : -1;
            }
        }
        if (!result.assessed)
            heatSlice = -1;
        if (result.assessed) {
            for (std::size_t c = 0; c < card.classes.size(); ++c)
                result.classes.push_back({card.classes[c], sp.maxProbability[c]});
            result.predicted = sp.predictedByMax;
            result.algorithm.parameters +=
                "; series result: per class the highest probability over the in-domain slices";
        } else {
            sources.files.push_back(series.slices[std::size_t(volume->depth / 2)].path);
        }
        if (o.slice >= 0 && result.assessed) {
            if (o.slice >= volume->depth)
                throw Error("slice " + std::to_string(o.slice) + " out of range", o.path);
            if (!sp.slices[std::size_t(o.slice)].domain.inDomain)
                throw Error("slice " + std::to_string(o.slice) +
                                " is outside the model's training data: no heatmap for it",
                            o.path);
            heatSlice = o.slice;
        }
    }

    std::error_code ec;
    fs::create_directories(o.outputFolder, ec);
    if (ec)
        throw Error("cannot create the folder (" + ec.message() + ")", o.outputFolder);
    // An earlier run's objects must not be sent beside this one's (a heatmap next to a
    // "no finding" report).
    for (const char* name : {"ai-report.dcm", "ai-heatmap.dcm"}) {
        fs::remove(fs::path(o.outputFolder) / name, ec);
        if (ec)
            throw Error("cannot replace the earlier " + std::string(name) + " (" + ec.message() +
                            ")",
                        o.outputFolder);
    }
    nlohmann::json line{{"model", card.name + " " + card.version},
                        {"assessed", result.assessed},
                        {"domain", result.domainStatement}};
    std::optional<out::WrittenObject> heatmap;
    if (heatSlice >= 0) {
        const ai::GreyImage image{volume->slice(heatSlice), volume->width, volume->height,
                                  &series.sliceDisplay(heatSlice)};
        const ai::ExplainMethod method = ai::explainMethodFromName(o.method);
        const ai::Heatmap map = ai::explain(*package, method, image, result.predicted);
        out::HeatmapPicture picture;
        picture.width = volume->width;
        picture.height = volume->height;
        picture.rgb = heatmapRgb(image, map, 0.6f);
        picture.method = o.method == "gradcam"     ? "Grad-CAM"
                         : o.method == "gradcam++" ? "Grad-CAM++"
                                                   : "Occlusion";
        picture.className = card.classes[std::size_t(result.predicted)];
        picture.noEvidence = map.maximum <= 0.0f;
        const std::string source = series.slices[std::size_t(heatSlice)].path;
        heatmap = out::writeHeatmapCapture(picture, result, source,
                                           (fs::path(o.outputFolder) / "ai-heatmap.dcm").string());
        line["heatmap"] = heatmap->path;
        line["heatmapSlice"] = heatSlice;
        line["heatmapPeak"] = map.maximum;
    }
    const out::WrittenObject sr =
        out::writeAiReport(result, sources, heatmap ? &*heatmap : nullptr,
                           (fs::path(o.outputFolder) / "ai-report.dcm").string());
    line["report"] = sr.path;
    line["studyInstanceUid"] = sr.studyUid;
    line["sources"] = sources.files.size();
    if (result.assessed) {
        line["predicted"] = card.classes[std::size_t(result.predicted)];
        nlohmann::json probabilities;
        for (const auto& c : result.classes)
            probabilities[c.name] = c.probability;
        line["probabilities"] = probabilities;
    } else {
        line["predicted"] = nullptr;
        line["note"] = "outside this model's training data: the report says so and holds no "
                       "finding; no heatmap written";
    }
    out << jsonText(line) << '\n';
    return Ok;
}

} // namespace spinelens::cli
