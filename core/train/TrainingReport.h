#pragma once
// The report/ folder of a trained package: per-epoch figures as CSV, the curves as a PNG, and
// a README with the command that made it, so anyone can retrain the same package.
#include "train/Trainer.h"

#include <string>

namespace spinelens::train {

/// Writes folder/training.csv, folder/training.png and folder/README.md. Throws
/// spinelens::Error naming the folder when it cannot be written.
void writeTrainingReport(const std::string& folder, const TrainResult& result,
                         const TrainOptions& options, const std::string& packageName);

} // namespace spinelens::train
