#pragma once
// The trainer's checkpoint, written after every epoch into "<output>.checkpoint/" so that
// `spinelens-cli train ... --resume` continues an interrupted run where it stopped: weights,
// the best weights so far, the optimizer's state (Adam's moments and step counts), the epoch,
// the early-stopping counters, the augmentation and LibTorch random states and the history of
// epochs. Resuming gives the weights the uninterrupted run would have given (test_trainer).
// Internal to the trainer: it includes LibTorch, so only Trainer.cpp and TrainCheckpoint.cpp
// include it (core/CMakeLists.txt gives those two LibTorch's flags).
#include "train/Trainer.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace spinelens::train {

struct CheckpointState {
    int epoch = 0; ///< the last finished epoch
    int bestEpoch = 0;
    double bestValLoss = 0;
    int sinceBest = 0;
    double initialTrainLoss = 0;
    double trainSeconds = 0;
    std::int64_t trainImages = 0;
    std::vector<EpochStats> epochs;
    /// What must be the same for a run to continue this one (data, split, settings).
    nlohmann::json fingerprint;
};

/// The module's parameters then buffers, as the trainer keeps its best state.
std::vector<torch::Tensor> moduleState(torch::jit::Module& module);
void setModuleState(torch::jit::Module& module, const std::vector<torch::Tensor>& state);

/// Writes the checkpoint beside the folder and renames it into place: an interruption while
/// writing leaves the previous epoch's checkpoint whole. Throws spinelens::Error.
void writeCheckpoint(const std::string& folder, const CheckpointState& state,
                     torch::jit::Module& module, const std::vector<torch::Tensor>& best,
                     torch::optim::Optimizer& optimizer, const std::mt19937_64& rng);

/// Reads the checkpoint's state and checks it belongs to a run with `fingerprint`; loads the
/// weights into `module`, the best weights into `best`, the random states into `rng` and
/// LibTorch's CPU generator. Throws spinelens::Error naming the checkpoint when it is missing,
/// damaged or of another run.
CheckpointState readCheckpoint(const std::string& folder, const nlohmann::json& fingerprint,
                               torch::jit::Module& module, std::vector<torch::Tensor>& best,
                               std::mt19937_64& rng);

/// The optimizer's state, once the optimizer holds the same parameters as when it was saved.
void loadOptimizerState(const std::string& folder, torch::optim::Optimizer& optimizer);

} // namespace spinelens::train
