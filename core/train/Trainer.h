#pragma once
// Trains a TorchScript module that follows the features/classify contract (or any module with
// forward) on a labelled data set, the studies' protocol by default, and writes a complete
// model package: model.pt, model.json with provenance and test metrics, report/training.csv.
#include "data/Dataset.h"
#include "train/Augment.h"
#include "train/Calibrate.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace spinelens::train {

struct TrainProgress {
    int epoch = 0, epochs = 0;
    int batch = 0, batches = 0;
    double loss = 0.0;
    double secondsLeft = 0.0; ///< estimate for the whole run
};

struct EpochStats {
    int epoch = 0;
    double trainLoss = 0, trainAccuracy = 0, valLoss = 0, valAccuracy = 0, seconds = 0;
};

struct TrainOptions {
    std::string architecture; ///< package folder with model.pt and model.json (classes, input)
    std::string dataset;      ///< class folders, RSNA 2024 folder or manifest CSV
    std::string output;       ///< package folder to write (written beside, then renamed)
    std::string name;         ///< of the new package; default: architecture's name + "-trained"
    int epochs = 10;
    int batchSize = 16;
    double learningRate = 1e-3; ///< Adam
    double l2 = 1e-3;           ///< on convolution kernels (4-D weights)
    std::uint64_t seed = 1;
    bool augment = true;
    AugmentOptions augmentations;
    bool classWeights = true;
    std::vector<std::string> freeze; ///< parameter-name substrings frozen at the start
    int unfreezeAfter = -1;          ///< epochs after which frozen parameters train too
    int patience = 3;                ///< early stopping on validation loss
    std::string initWeights;         ///< a model.pt to start from instead of the architecture's
    /// Continue the interrupted run of the same command from "<output>.checkpoint/" (written
    /// after every epoch, removed once the package is in place); see TrainCheckpoint.h.
    bool resume = false;
    int maxSamples = 0;       ///< 0 = all (small runs for tests and benchmarks)
    int threads = 0;          ///< LibTorch intra-op threads; 0 = all cores
    bool int8Weights = false; ///< compact storage (ai/ModuleFile.h) for model.pt
    std::string commandLine;  ///< how the run was started, kept in the card and report
    std::function<void(const TrainProgress&)> progress;
    std::function<void(const EpochStats&)> epochDone; ///< after each epoch's validation
};

struct TrainResult {
    std::vector<EpochStats> epochs;
    int bestEpoch = 0;
    double initialTrainLoss = 0;   ///< training-set loss of the starting weights (eval mode)
    double finalTrainLoss = 0;     ///< the same, for the weights written
    double testAccuracy = 0;       ///< of the trained float32 weights
    double storedTestAccuracy = 0; ///< of the weights as written (differs with int8 storage)
    int trainSamples = 0, valSamples = 0, testSamples = 0;
    double imagesPerSecond = 0;       ///< training throughput (forward + backward + step)
    std::vector<FileFailure> skipped; ///< unreadable images, not fatal
    CalibrationResult calibration;    ///< temperature and domain model fitted after training
    std::string calibrationError;     ///< why calibration failed (the package is uncalibrated)
    std::string package;
};

/// "<output>.checkpoint": where a run keeps its per-epoch checkpoint for --resume.
std::string checkpointFolder(const std::string& output);

/// Throws spinelens::Error for anything that stops training as a whole (no module, no samples,
/// a class missing from a split, output not writable). Nothing is left half-written.
TrainResult trainModel(const TrainOptions& options);

} // namespace spinelens::train
