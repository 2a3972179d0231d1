#include "cli/TrainCommand.h"

#include "Error.h"
#include "cli/Commands.h"

#include <cstdio>
#include <ostream>

namespace spinelens::cli {

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
        out << "wrote " << r.package << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "\nspinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

} // namespace spinelens::cli
