#include "report/AiReportMaker.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/DefaultModels.h"
#include "ai/ModelPackage.h"
#include "image/Colormap.h"
#include "image/WindowLevel.h"
#include "study/SeriesLoader.h"
#include "util/Sha256.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace spinelens::report {
namespace {

std::string domainWords(const ai::DomainCheck& d) {
    if (!d.checked)
        return "not checked: this model has no domain model";
    char line[200];
    std::snprintf(line, sizeof line, "domain score %.4g %s threshold %.4g", d.score,
                  d.score <= d.threshold ? "<=" : ">", d.threshold);
    std::string words =
        std::string(d.inDomain ? "within the training data (" : "outside the training data (") +
        line + ")";
    if (!d.reason.empty())
        words += ": " + d.reason;
    return words;
}

struct Assessment {
    out::AiResult result;
    out::SourceImages sources;
    int heatSlice = -1;
    std::vector<char> inDomain; ///< per slice: the model may assess it
    std::string method;         ///< how a series' probabilities were made, added to the model's
};

Assessment assessImage(const ai::Classifier& classifier, const ai::ModelCard& card,
                       const Volume& volume, const SeriesInfo& series) {
    Assessment a;
    const ai::GreyImage image{volume.slice(0), volume.width, volume.height,
                              &series.sliceDisplay(0)};
    const ai::Prediction p = classifier.predict(image);
    // A package without a domain model cannot say whether the image is like its training
    // data: no finding is written for it.
    a.result.assessed = p.domain.checked && p.domain.inDomain;
    a.result.domainStatement = domainWords(p.domain);
    if (a.result.assessed) {
        for (std::size_t c = 0; c < card.classes.size(); ++c)
            a.result.classes.push_back({card.classes[c], p.probabilities[c]});
        a.result.predicted = p.predicted;
        a.heatSlice = 0;
    }
    a.sources.files.push_back(series.slices.front().path);
    return a;
}

Assessment assessSeries(const ai::Classifier& classifier, const ai::ModelPackage& package,
                        const Volume& volume, const SeriesInfo& series) {
    Assessment a;
    const ai::ModelCard& card = package.card();
    const ai::SeriesPrediction sp = classifier.predictSeries(volume, &series);
    const int inDomain = volume.depth - sp.outOfDomainSlices;
    const bool checked = package.domain() != nullptr;
    // A series is assessed only when most of its slices are like the training data: a few
    // in-domain slices of a foreign series are not a basis for a series finding.
    a.result.assessed = checked && sp.predictedByMax >= 0 && 2 * inDomain >= volume.depth;
    a.result.domainStatement =
        checked ? std::to_string(inDomain) + " of " + std::to_string(volume.depth) +
                      " slices within the training data" +
                      (a.result.assessed ? "" : " (fewer than half: no series finding)")
                : "not checked: this model has no domain model";
    float best = -1;
    const auto fromMiddle = [&](int s) { return std::abs(2 * s - volume.depth); };
    for (int k = 0; k < volume.depth; ++k) {
        const ai::Prediction& p = sp.slices[std::size_t(k)];
        a.inDomain.push_back(p.domain.inDomain ? 1 : 0);
        if (!p.domain.inDomain)
            continue;
        a.sources.files.push_back(series.slices[std::size_t(k)].path);
        if (!a.result.assessed)
            continue;
        // The slice most for the predicted class; among equals the one nearest the middle of
        // the series, where the anatomy is.
        const float v = p.probabilities[std::size_t(sp.predictedByMax)];
        if (v > best ||
            (v == best && a.heatSlice >= 0 && fromMiddle(k) < fromMiddle(a.heatSlice))) {
            best = v;
            a.heatSlice = k;
        }
    }
    if (a.result.assessed) {
        for (std::size_t c = 0; c < card.classes.size(); ++c)
            a.result.classes.push_back({card.classes[c], sp.maxProbability[c]});
        a.result.predicted = sp.predictedByMax;
        a.method = "; series result: per class the highest probability over the in-domain slices";
    } else {
        a.sources.files.push_back(series.slices[std::size_t(volume.depth / 2)].path);
    }
    return a;
}

} // namespace

std::string explainMethodTitle(ai::ExplainMethod method) {
    switch (method) {
    case ai::ExplainMethod::GradCamPlusPlus:
        return "Grad-CAM++";
    case ai::ExplainMethod::Occlusion:
        return "Occlusion";
    default:
        return "Grad-CAM";
    }
}

out::AlgorithmIdentity algorithmIdentity(const ai::ModelPackage& package) {
    const ai::ModelCard& card = package.card();
    out::AlgorithmIdentity a;
    a.name = card.name;
    a.version = card.version;
    // SHA-256, so anyone can check the weights a result names with sha256sum.
    Sha256 hash;
    a.fileHash = hash.addFile((fs::path(package.folder()) / "model.pt").string())
                     ? "sha256:" + hash.hex()
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

ReportOutcome makeAiReport(const ReportRequest& request) {
    if (!request.package || !request.series || request.series->slices.empty())
        throw Error("no model or no series to report on");
    const ai::ModelPackage& package = *request.package;
    const ai::ModelCard& card = package.card();
    const SeriesInfo& series = *request.series;
    const std::string where = series.slices.front().path;
    if (series.kind == SourceKind::Raster)
        throw Error("a DICOM report needs a DICOM image: a PNG or JPEG X-ray has no patient or "
                    "study to file it under",
                    where);
    const std::string mismatch = ai::modalityMismatch(card.name, card.modality, series.modality,
                                                      series.kind == SourceKind::Raster);
    if (!mismatch.empty() && !request.anyModality)
        throw Error(mismatch, where);
    const std::shared_ptr<const Volume> volume =
        request.volume ? request.volume : loadSeries(series);
    const ai::Classifier classifier(request.package);

    Assessment a = volume->depth == 1 ? assessImage(classifier, card, *volume, series)
                                      : assessSeries(classifier, package, *volume, series);
    a.result.algorithm = algorithmIdentity(package);
    a.result.algorithm.parameters += a.method;
    a.result.software = request.software;
    // A chosen heatmap slice (of a series; a single image has only one).
    if (request.heatmapSlice >= 0 && a.result.assessed && volume->depth > 1) {
        if (request.heatmapSlice >= volume->depth)
            throw Error("slice " + std::to_string(request.heatmapSlice) + " out of range", where);
        if (!a.inDomain[std::size_t(request.heatmapSlice)])
            throw Error("slice " + std::to_string(request.heatmapSlice) +
                            " is outside the model's training data: no heatmap for it",
                        where);
        a.heatSlice = request.heatmapSlice;
    }

    std::error_code ec;
    fs::create_directories(request.outputFolder, ec);
    if (ec)
        throw Error("cannot create the folder (" + ec.message() + ")", request.outputFolder);
    // An earlier run's objects must not be sent beside this one's (a heatmap next to a "no
    // finding" report).
    for (const char* name : {"ai-report.dcm", "ai-heatmap.dcm"}) {
        fs::remove(fs::path(request.outputFolder) / name, ec);
        if (ec)
            throw Error("cannot replace the earlier " + std::string(name) + " (" + ec.message() +
                            ")",
                        request.outputFolder);
    }
    ReportOutcome outcome;
    if (a.heatSlice >= 0) {
        const ai::GreyImage image{volume->slice(a.heatSlice), volume->width, volume->height,
                                  &series.sliceDisplay(a.heatSlice)};
        const ai::Heatmap map = ai::explain(package, request.method, image, a.result.predicted);
        out::HeatmapPicture picture;
        picture.width = volume->width;
        picture.height = volume->height;
        picture.rgb = heatmapRgb(image, map, 0.6f);
        picture.method = explainMethodTitle(request.method);
        picture.className = card.classes[std::size_t(a.result.predicted)];
        picture.noEvidence = map.maximum <= 0.0f;
        outcome.heatmap = out::writeHeatmapCapture(
            picture, a.result, series.slices[std::size_t(a.heatSlice)].path,
            (fs::path(request.outputFolder) / "ai-heatmap.dcm").string());
        outcome.heatmapSlice = a.heatSlice;
        outcome.heatmapPeak = map.maximum;
    }
    outcome.report =
        out::writeAiReport(a.result, a.sources, outcome.heatmap ? &*outcome.heatmap : nullptr,
                           (fs::path(request.outputFolder) / "ai-report.dcm").string());
    outcome.sources = a.sources.files.size();
    outcome.result = std::move(a.result);
    return outcome;
}

std::vector<std::uint8_t> heatmapRgb(const ai::GreyImage& image, const ai::Heatmap& map,
                                     float opacity) {
    const std::size_t n = std::size_t(image.width) * std::size_t(image.height);
    std::vector<std::uint8_t> grey(n), rgb(n * 3);
    if (image.display)
        applyDefaultVoi(image.pixels, n, *image.display, grey.data());
    else
        for (std::size_t i = 0; i < n; ++i)
            grey[i] = static_cast<std::uint8_t>(std::clamp(image.pixels[i], 0.0f, 255.0f));
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = blendHeat(grey[i], map.values[i], opacity);
        std::copy(c.begin(), c.end(), rgb.begin() + std::ptrdiff_t(3 * i));
    }
    return rgb;
}

} // namespace spinelens::report
