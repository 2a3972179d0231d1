#include "cli/ReportCommand.h"

#include "Error.h"
#include "ai/DefaultModels.h"
#include "ai/ModelPackage.h"
#include "ai/TorchModel.h"
#include "cli/Commands.h"
#include "report/AiReportMaker.h"
#include "study/Scanner.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace spinelens::cli {

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
    report::ReportRequest request;
    request.package = package;
    request.series = &scan.series[std::size_t(o.seriesIndex)];
    request.heatmapSlice = o.slice;
    request.method = ai::explainMethodFromName(o.method);
    request.anyModality = o.anyModality;
    request.outputFolder = o.outputFolder;
    request.software = std::string("SpineLens ") + SPINELENS_VERSION;
    // The CLI's way around a modality mismatch is an option: its message names it.
    const std::string mismatch =
        ai::modalityMismatch(card.name, card.modality, request.series->modality,
                             request.series->kind == SourceKind::Raster);
    if (!mismatch.empty() && !o.anyModality && request.series->kind != SourceKind::Raster)
        throw Error(mismatch + " (--any-modality runs it anyway)", o.path);
    const report::ReportOutcome made = report::makeAiReport(request);
    const out::AiResult& result = made.result;
    nlohmann::json line{{"model", card.name + " " + card.version},
                        {"assessed", result.assessed},
                        {"domain", result.domainStatement}};
    if (made.heatmap) {
        line["heatmap"] = made.heatmap->path;
        line["heatmapSlice"] = made.heatmapSlice;
        line["heatmapPeak"] = made.heatmapPeak;
    }
    line["report"] = made.report.path;
    line["studyInstanceUid"] = made.report.studyUid;
    line["sources"] = made.sources;
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
