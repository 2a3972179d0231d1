#include "cli/AiCommands.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "ai/TorchModel.h"
#include "cli/Commands.h"
#include "dicom/Scanner.h"
#include "image/Colormap.h"
#include "image/SeriesLoader.h"
#include "image/VolumeExport.h"
#include "image/WindowLevel.h"
#include "raster/RasterIO.h"

#include <nlohmann/json.hpp>

#include <ostream>

namespace spinelens::cli {
namespace {

nlohmann::json probabilitiesJson(const ai::ModelCard& card, const std::vector<float>& p) {
    nlohmann::json j = nlohmann::json::object();
    for (std::size_t c = 0; c < card.classes.size(); ++c)
        j[card.classes[c]] = p[c];
    return j;
}

void printFailures(const std::vector<FileFailure>& failures, std::ostream& err) {
    for (const auto& f : failures)
        err << "spinelens-cli: " << f.path << ": " << f.reason << '\n';
}

} // namespace

int runClassify(const ClassifyOptions& o, std::ostream& out, std::ostream& err) {
    try {
        ai::setTorchThreads(0);
        auto package = ai::ModelPackage::load(o.modelFolder);
        const ai::Classifier classifier(package);
        const ai::ModelCard& card = package->card();
        err << "model: " << card.headline() << '\n';
        const ScanResult scan = spinelens::scan(o.paths);
        printFailures(scan.failures, err);
        bool problems = !scan.failures.empty();
        for (const SeriesInfo& series : scan.series) {
            LoadReport report;
            std::shared_ptr<Volume> volume;
            try {
                volume = loadSeries(series, &report);
            } catch (const Error& e) {
                err << "spinelens-cli: " << e.what() << '\n';
                problems = true;
                continue;
            }
            printFailures(report.failures, err);
            problems = problems || !report.failures.empty();
            ai::SeriesPrediction sp;
            try {
                sp = classifier.predictSeries(*volume);
            } catch (const Error& e) {
                err << "spinelens-cli: " << series.slices.front().path << ": " << e.reason()
                    << '\n';
                problems = true;
                continue;
            }
            for (int k = 0; k < volume->depth; ++k) {
                const SliceSource& src = series.slices[std::size_t(k)];
                const ai::Prediction& p = sp.slices[std::size_t(k)];
                nlohmann::json line = {{"path", src.path},
                                       {"probabilities", probabilitiesJson(card, p.probabilities)},
                                       {"predicted", card.classes[std::size_t(p.predicted)]},
                                       {"model", card.name + " " + card.version}};
                if (!src.sopInstanceUid.empty())
                    line["sopInstanceUid"] = src.sopInstanceUid;
                if (src.frame > 0)
                    line["frame"] = src.frame;
                out << line.dump() << '\n';
            }
            if (volume->depth > 1) {
                nlohmann::json line = {
                    {"seriesInstanceUid", series.seriesInstanceUid},
                    {"slices", volume->depth},
                    {"maxProbabilities", probabilitiesJson(card, sp.maxProbability)},
                    {"meanProbabilities", probabilitiesJson(card, sp.meanProbability)},
                    {"predictedByMax", card.classes[std::size_t(sp.predictedByMax)]},
                    {"model", card.name + " " + card.version}};
                out << line.dump() << '\n';
            }
        }
        if (scan.series.empty())
            return Failed;
        return problems ? PartialFailure : Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return Failed;
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
        auto volume = loadSeries(series);
        const int k = o.slice < 0 ? volume->depth / 2 : o.slice;
        if (k >= volume->depth)
            throw Error("slice " + std::to_string(k) + " out of range", o.path);
        const ai::GreyImage image{volume->slice(k), volume->width, volume->height};

        int classIndex = -1;
        if (o.className.empty()) {
            classIndex = ai::Classifier(package).predict(image).predicted;
        } else {
            for (std::size_t c = 0; c < card.classes.size(); ++c)
                if (card.classes[c] == o.className)
                    classIndex = int(c);
            if (classIndex < 0)
                throw Error("the model has no class \"" + o.className + "\"", o.modelFolder);
        }
        const ai::Heatmap map = ai::explain(*package, method, image, classIndex);

        const Window w = series.display.hasWindow
                             ? Window{series.display.windowCenter, series.display.windowWidth}
                             : autoWindow(image.pixels, volume->sliceSize());
        std::vector<std::uint8_t> grey(volume->sliceSize()), rgb(volume->sliceSize() * 3);
        applyWindow(image.pixels, grey.size(), w, series.display.invert, grey.data());
        for (std::size_t i = 0; i < grey.size(); ++i) {
            const auto c = blendHeat(grey[i], map.values[i], o.opacity);
            std::copy(c.begin(), c.end(), rgb.begin() + std::ptrdiff_t(3 * i));
        }
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
        out << nlohmann::json{{"method", map.method},
                              {"class", card.classes[std::size_t(classIndex)]},
                              {"slice", k},
                              {"peak", map.maximum},
                              {"out", o.outPng},
                              {"model", card.name + " " + card.version}}
                   .dump()
            << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "spinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

} // namespace spinelens::cli
