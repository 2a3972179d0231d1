#pragma once
// spinelens-cli train and calibrate.
#include "train/Trainer.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

int runTrain(const train::TrainOptions& options, std::ostream& out, std::ostream& err);

/// calibrate --model DIR --data DATASET: fits the temperature and the domain model of an
/// existing package on the split it records, and writes them into it.
int runCalibrate(train::CalibrateOptions options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
