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
    try {
        const train::TrainResult r = train::trainModel(o);
        err << '\n';
        for (const auto& s : r.skipped)
            err << "spinelens-cli: " << s.path << ": " << s.reason << '\n';
        for (const auto& e : r.epochs)
            out << "epoch " << e.epoch << ": train loss " << e.trainLoss << " acc "
                << e.trainAccuracy << ", val loss " << e.valLoss << " acc " << e.valAccuracy << " ("
                << e.seconds << " s)\n";
        out << "best epoch " << r.bestEpoch << "; test accuracy " << r.testAccuracy << " on "
            << r.testSamples << " images; " << r.imagesPerSecond << " training images/s\n";
        out << "wrote " << r.package << '\n';
        return Ok;
    } catch (const Error& e) {
        err << "\nspinelens-cli: " << e.what() << '\n';
        return Failed;
    }
}

} // namespace spinelens::cli
