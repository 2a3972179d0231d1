#pragma once
// Fits what makes a package's answers trustworthy on top of its weights: the domain model
// (ai/trust/DomainModel.h) on the training split's pooled features, its threshold on the
// validation split, and the temperature (ai/trust/Calibration.h) on the validation logits;
// measures them on the test split; writes them into the package (domain.json + arrays,
// model.json "calibration", the split's fingerprint, a section of report/README.md).
// `spinelens-cli train` ends with it; `spinelens-cli calibrate` runs it on an existing package.
#include "data/Dataset.h"
#include "train/Split.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace spinelens::train {

struct CalibrationResult {
    double temperature = 1.0;
    /// false when the validation split cannot fix a temperature (see TemperatureFit::atBound);
    /// the package then keeps T = 1 and says it is not calibrated.
    bool temperatureFitted = false;
    std::string temperatureNote;
    double validationNllBefore = 0, validationNllAfter = 0;
    double testEceBefore = 0, testEceAfter = 0;
    double testAccuracy = 0;
    bool hasDomainModel = false; ///< false for a module without features()/classify()
    double domainThreshold = 0;
    double validationPassRate = 0, testPassRate = 0; ///< shares of images in domain
    std::string thresholdNote;
    int thresholdGroups = 0; ///< patients/studies behind the validation images
    std::string domainNote;  ///< why there is no domain model, when there is none
    int trainImages = 0, valImages = 0, testImages = 0;
    std::string splitHash;
    std::vector<FileFailure> skipped;
};

struct CalibrationProgress {
    std::string stage; ///< "train", "val" or "test"
    int done = 0, total = 0;
};

/// The split's fingerprint: FNV-1a over the sorted "split<TAB>path-relative-to-root" lines.
std::string splitHash(const data::Dataset& dataset, const Split& split);

/// `dataset` has its labels in the model's class order. Throws spinelens::Error for what stops
/// calibration as a whole (no validation image, package not writable), naming the thing at fault.
/// expectedTestAccuracy >= 0: refuse (before writing anything) when the test split's accuracy
/// differs, i.e. the data set is not the one the package was trained on.
CalibrationResult
calibrateWithSplit(const std::string& packageFolder, const data::Dataset& dataset,
                   const Split& split,
                   const std::function<void(const CalibrationProgress&)>& progress = {},
                   double expectedTestAccuracy = -1);

struct CalibrateOptions {
    std::string package; ///< folder, changed in place
    std::string dataset; ///< the data set the package was trained on
    std::function<void(const CalibrationProgress&)> progress;
};

/// Rebuilds the split the package records (provenance.splitSeed and maxSamples), checks it
/// against provenance.split.hash, or else against provenance.metrics.testAccuracy, and calls
/// calibrateWithSplit. Throws spinelens::Error when the data set does not give the recorded
/// split, or when the card records neither.
CalibrationResult calibratePackage(const CalibrateOptions& options);

/// The samples training and calibration use: all of them, or `maxSamples` chosen by a seeded
/// shuffle (the trainer's --max-samples).
void limitSamples(data::Dataset& dataset, std::uint64_t seed, int maxSamples);

/// Labels mapped onto the model's class order; throws spinelens::Error naming the data set for
/// a class the model does not have.
void mapLabelsToModel(data::Dataset& dataset, const std::vector<std::string>& modelClasses);

} // namespace spinelens::train
