#include "cli/TrainCommand.h"

#include "Error.h"
#include "cli/Commands.h"

#include <cstdio>
#include <filesystem>
#include <ostream>

namespace spinelens::cli {
namespace {

void printCalibration(const train::CalibrationResult& c, std::ostream& out) {
    char line[400];
    if (c.temperatureFitted)
        std::snprintf(line, sizeof line,
                      "temperature %.4f (validation NLL %.4f -> %.4f on %d images); test ECE "
                      "%.4f -> %.4f on %d images\n",
                      c.temperature, c.validationNllBefore, c.validationNllAfter, c.valImages,
                      c.testEceBefore, c.testEceAfter, c.testImages);
    else
        std::snprintf(line, sizeof line,
                      "temperature: not applied (%s); test ECE %.4f on %d images, uncalibrated\n",
                      c.temperatureNote.c_str(), c.testEceBefore, c.testImages);
    out << line;
    if (c.hasDomainModel) {
        std::snprintf(line, sizeof line,
                      "domain model: Mahalanobis on %d training images; threshold %.3f; in "
                      "domain: %.1f %% of validation, %.1f %% of test images\n",
                      c.trainImages, c.domainThreshold, 100 * c.validationPassRate,
                      100 * c.testPassRate);
        out << line;
        if (!c.thresholdNote.empty())
            out << "note: " << c.thresholdNote << '\n';
    } else {
        out << "no domain model: the module does not export features() and classify()\n";
    }
}

} // namespace

int runTrain(const train::TrainOptions& options, std::ostream& out, std::ostream& err) {
    train::TrainOptions o = options;
    o.progress = [&err](const train::TrainProgress& p) {
        char line[160];
        std::snprintf(line, sizeof line, "\repoch %d/%d  batch %d/%d  loss %.4f  ETA %.0f s   ",
                      p.epoch, p.epochs, p.batch, p.batches, p.loss, p.secondsLeft);
        err << line << std::flush;
    };
    o.epochDone = [&out, &err](const train::EpochStats& e) {
        err << '\r' << std::string(70, ' ') << '\r';
        out << "epoch " << e.epoch << ": train loss " << e.trainLoss << " acc " << e.trainAccuracy
            << ", val loss " << e.valLoss << " acc " << e.valAccuracy << " (" << e.seconds << " s)"
            << std::endl;
    };
    try {
        const train::TrainResult r = train::trainModel(o);
        err << '\n';
        for (const auto& s : r.skipped)
            err << "spinelens-cli: " << s.path << ": " << s.reason << '\n';
        out << "best epoch " << r.bestEpoch << "; test accuracy " << r.storedTestAccuracy;
        if (o.int8Weights)
            out << " with int8 weights (" << r.testAccuracy << " float32)";
        out << " on " << r.testSamples << " images; " << r.imagesPerSecond
            << " training images/s\n";
        if (r.calibrationError.empty())
            printCalibration(r.calibration, out);
        else
            err << "spinelens-cli: not calibrated: " << r.calibrationError << '\n';
        out << "wrote " << r.package << '\n';
        return r.skipped.empty() ? Ok : InputsFailed; // the skipped ones are named above
    } catch (const Error& e) {
        err << "\nspinelens-cli: " << e.what() << '\n';
        const std::string checkpoint = train::checkpointFolder(o.output);
        std::error_code ec;
        if (std::filesystem::exists(checkpoint + "/state.json", ec))
            err << "spinelens-cli: the finished epochs are kept in " << checkpoint
                << ": the same command with --resume continues from there\n";
        return InputsFailed;
    }
}

int runCalibrate(train::CalibrateOptions o, std::ostream& out, std::ostream& err) {
    o.progress = [&err](const train::CalibrationProgress& p) {
        err << '\r' << p.stage << " split: " << p.done << "/" << p.total << "    " << std::flush;
    };
    try {
        const train::CalibrationResult r = train::calibratePackage(o);
        err << '\n';
        for (const auto& s : r.skipped)
            err << "spinelens-cli: " << s.path << ": " << s.reason << '\n';
        out << "split " << r.splitHash << ": " << r.trainImages << " training, " << r.valImages
            << " validation, " << r.testImages << " test images; test accuracy " << r.testAccuracy
            << '\n';
        printCalibration(r, out);
        out << "wrote " << o.package << '\n';
        return r.skipped.empty() ? Ok : InputsFailed;
    } catch (const Error& e) {
        err << "\nspinelens-cli: " << e.what() << '\n';
        return InputsFailed;
    } catch (const std::exception& e) {
        err << "\nspinelens-cli: " << o.package << ": " << e.what() << '\n';
        return InputsFailed;
    }
}

} // namespace spinelens::cli
