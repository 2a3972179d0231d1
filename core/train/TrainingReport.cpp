#include "train/TrainingReport.h"

#include "Error.h"
#include "image/LinePlot.h"
#include "raster/RasterIO.h"

#include <filesystem>
#include <fstream>
#include <iomanip>

namespace fs = std::filesystem;

namespace spinelens::train {

void writeTrainingReport(const std::string& folder, const TrainResult& r, const TrainOptions& o,
                         const std::string& packageName) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throw Error("cannot create the report folder (" + ec.message() + ")", folder);
    const fs::path dir(folder);
    {
        std::ofstream csv(dir / "training.csv");
        csv << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n";
        for (const auto& e : r.epochs)
            csv << e.epoch << ',' << e.trainLoss << ',' << e.trainAccuracy << ',' << e.valLoss
                << ',' << e.valAccuracy << ',' << e.seconds << '\n';
        if (!csv)
            throw Error("cannot write training.csv", folder);
    }

    plot::Chart loss{"Loss per epoch", "epoch", "loss", {}, false, 0, 1};
    plot::Chart accuracy{"Accuracy per epoch", "epoch", "accuracy", {}, true, 0, 1, true};
    plot::Series trainLoss{"train", {}, {}, {31, 119, 180}},
        valLoss{"validation", {}, {}, {214, 39, 40}};
    plot::Series trainAcc = trainLoss, valAcc = valLoss;
    for (const auto& e : r.epochs) {
        for (plot::Series* s : {&trainLoss, &valLoss, &trainAcc, &valAcc})
            s->x.push_back(e.epoch);
        trainLoss.y.push_back(e.trainLoss);
        valLoss.y.push_back(e.valLoss);
        trainAcc.y.push_back(e.trainAccuracy);
        valAcc.y.push_back(e.valAccuracy);
    }
    loss.series = {trainLoss, valLoss};
    accuracy.series = {trainAcc, valAcc};
    const plot::RgbImage img = plot::render({loss, accuracy}, 480, 320);
    raster::writePng8((dir / "training.png").string(), img.width, img.height, 3, img.rgb.data(),
                      "SpineLens training curves of " + packageName);

    std::ofstream md(dir / "README.md");
    md << "# Training report: " << packageName << "\n\n";
    if (!o.commandLine.empty())
        md << "Made by:\n\n    " << o.commandLine << "\n\n";
    // Phantom sets say how they were made; with that line the run can be repeated exactly.
    const fs::path marker = fs::is_directory(o.dataset)
                                ? fs::path(o.dataset) / "SYNTHETIC.txt"
                                : fs::path(o.dataset).parent_path() / "SYNTHETIC.txt";
    std::ifstream markerIn(marker);
    std::string markerText;
    if (markerIn && std::getline(markerIn, markerText))
        md << "Data set made by the line in its SYNTHETIC.txt: " << markerText << "\n\n";
    md << "Data set: `" << o.dataset << "`, split seed " << o.seed << " (" << r.trainSamples
       << " training, " << r.valSamples << " validation, " << r.testSamples
       << " test samples).\n\n";
    md << std::fixed << std::setprecision(4);
    md << "Best epoch (lowest validation loss, whose weights were kept): " << r.bestEpoch
       << ". Test accuracy: " << r.storedTestAccuracy << " as stored";
    if (o.int8Weights)
        md << " (int8 weights; " << r.testAccuracy << " with the float32 weights)";
    md << ". Training throughput: " << std::setprecision(1) << r.imagesPerSecond
       << " images/s.\n\n";
    double seconds = 0;
    for (const auto& e : r.epochs)
        seconds += e.seconds;
    md << "Wall time of the " << r.epochs.size()
       << " epochs (training and validation): " << std::setprecision(1) << seconds / 60.0
       << " min.\n\n";
    md << "Per-epoch figures: `training.csv`; curves: `training.png`.\n";
    if (!r.skipped.empty()) {
        md << "\nImages skipped as unreadable (" << r.skipped.size() << "):\n\n";
        for (const auto& f : r.skipped)
            md << "- `" << f.path << "`: " << f.reason << '\n';
    }
    if (!md)
        throw Error("cannot write README.md", folder);
}

} // namespace spinelens::train
