#pragma once
// spinelens-cli train.
#include "train/Trainer.h"

#include <iosfwd>

namespace spinelens::cli {

int runTrain(const train::TrainOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
