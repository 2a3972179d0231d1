#include "train/TrainCheckpoint.h"

#include "Error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace fs = std::filesystem;

namespace spinelens::train {
namespace {

constexpr const char* kFormat = "spinelens-train-checkpoint-1";

nlohmann::json toJson(const EpochStats& e) {
    return {
        {"epoch", e.epoch},     {"trainLoss", e.trainLoss},     {"trainAccuracy", e.trainAccuracy},
        {"valLoss", e.valLoss}, {"valAccuracy", e.valAccuracy}, {"seconds", e.seconds}};
}

EpochStats epochFromJson(const nlohmann::json& j) {
    EpochStats e;
    e.epoch = j.at("epoch").get<int>();
    e.trainLoss = j.at("trainLoss").get<double>();
    e.trainAccuracy = j.at("trainAccuracy").get<double>();
    e.valLoss = j.at("valLoss").get<double>();
    e.valAccuracy = j.at("valAccuracy").get<double>();
    e.seconds = j.at("seconds").get<double>();
    return e;
}

// What differs between two fingerprints, for the message ("seed 1 here, 2 in the checkpoint").
std::string difference(const nlohmann::json& here, const nlohmann::json& saved) {
    for (const auto& [key, value] : here.items())
        if (!saved.contains(key) || saved.at(key) != value)
            return key + " " + value.dump() + " here, " +
                   (saved.contains(key) ? saved.at(key).dump() : std::string("none")) +
                   " in the checkpoint";
    return "different settings";
}

} // namespace

std::string checkpointFolder(const std::string& output) {
    std::string folder = output;
    while (folder.size() > 1 && folder.back() == '/')
        folder.pop_back();
    return folder + ".checkpoint";
}

std::vector<torch::Tensor> moduleState(torch::jit::Module& module) {
    std::vector<torch::Tensor> state;
    for (const auto& p : module.parameters(true))
        state.push_back(p.detach().clone());
    for (const auto& b : module.buffers(true))
        state.push_back(b.detach().clone());
    return state;
}

void setModuleState(torch::jit::Module& module, const std::vector<torch::Tensor>& state) {
    torch::NoGradGuard noGrad;
    std::size_t k = 0;
    for (auto p : module.parameters(true)) {
        if (k >= state.size() || !state[k].sizes().equals(p.sizes()))
            throw Error("the saved weights do not fit this architecture");
        p.copy_(state[k++]);
    }
    for (auto b : module.buffers(true)) {
        if (k >= state.size() || !state[k].sizes().equals(b.sizes()))
            throw Error("the saved weights do not fit this architecture");
        b.copy_(state[k++]);
    }
    if (k != state.size())
        throw Error("the saved weights do not fit this architecture");
}

void writeCheckpoint(const std::string& folder, const CheckpointState& s,
                     torch::jit::Module& module, const std::vector<torch::Tensor>& best,
                     torch::optim::Optimizer& optimizer, const std::mt19937_64& rng) {
    const fs::path dir(folder), tmp(folder + ".partial"), old(folder + ".old");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        throw Error("cannot write the training checkpoint (" + ec.message() + ")", tmp.string());
    try {
        torch::save(moduleState(module), (tmp / "weights.pt").string());
        torch::save(best, (tmp / "best.pt").string());
        torch::save(optimizer, (tmp / "optimizer.pt").string());
        auto generator = at::detail::getDefaultCPUGenerator();
        torch::Tensor torchRng;
        {
            std::lock_guard<std::mutex> lock(generator.mutex());
            torchRng = generator.get_state();
        }
        torch::save(torchRng, (tmp / "torch-rng.pt").string());
    } catch (const c10::Error& e) {
        throw Error(std::string("cannot write the training checkpoint (") +
                        e.what_without_backtrace() + ")",
                    tmp.string());
    }
    std::ostringstream rngText;
    rngText << rng;
    nlohmann::json j{{"format", kFormat},
                     {"epoch", s.epoch},
                     {"bestEpoch", s.bestEpoch},
                     {"bestValLoss", s.bestValLoss},
                     {"sinceBest", s.sinceBest},
                     {"initialTrainLoss", s.initialTrainLoss},
                     {"trainSeconds", s.trainSeconds},
                     {"trainImages", s.trainImages},
                     {"augmentationRng", rngText.str()},
                     {"fingerprint", s.fingerprint}};
    for (const EpochStats& e : s.epochs)
        j["epochs"].push_back(toJson(e));
    std::ofstream out(tmp / "state.json");
    out << j.dump(2) << '\n';
    out.close();
    if (!out)
        throw Error("cannot write the training checkpoint", (tmp / "state.json").string());
    // Swap in the new one; the old one goes only once the new one is in place.
    fs::remove_all(old, ec);
    if (fs::exists(dir))
        fs::rename(dir, old, ec);
    fs::rename(tmp, dir, ec);
    if (ec)
        throw Error("cannot move the training checkpoint into place (" + ec.message() + ")",
                    folder);
    fs::remove_all(old, ec);
}

CheckpointState readCheckpoint(const std::string& folder, const nlohmann::json& fingerprint,
                               torch::jit::Module& module, std::vector<torch::Tensor>& best,
                               std::mt19937_64& rng) {
    const fs::path dir(folder);
    const std::string statePath = (dir / "state.json").string();
    std::ifstream in(statePath);
    if (!in)
        throw Error("no checkpoint to resume from (a run writes one after every epoch; start "
                    "without --resume)",
                    folder);
    CheckpointState s;
    try {
        const nlohmann::json j = nlohmann::json::parse(in);
        if (j.value("format", "") != kFormat)
            throw Error(
                std::string("not a training checkpoint this version reads (format must be ") +
                    kFormat + ")",
                statePath);
        s.fingerprint = j.at("fingerprint");
        if (s.fingerprint != fingerprint)
            throw Error("the checkpoint is of another run (" +
                            difference(fingerprint, s.fingerprint) +
                            "); run the same command with --resume, or start afresh without it",
                        folder);
        s.epoch = j.at("epoch").get<int>();
        s.bestEpoch = j.at("bestEpoch").get<int>();
        s.bestValLoss = j.at("bestValLoss").get<double>();
        s.sinceBest = j.at("sinceBest").get<int>();
        s.initialTrainLoss = j.at("initialTrainLoss").get<double>();
        s.trainSeconds = j.at("trainSeconds").get<double>();
        s.trainImages = j.at("trainImages").get<std::int64_t>();
        for (const auto& e : j.at("epochs"))
            s.epochs.push_back(epochFromJson(e));
        std::istringstream rngText(j.at("augmentationRng").get<std::string>());
        rngText >> rng;
        if (!rngText || s.epoch < 1 || int(s.epochs.size()) != s.epoch)
            throw Error("the checkpoint's state is damaged", statePath);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("the checkpoint's state is damaged (") + e.what() + ")", statePath);
    }
    try {
        std::vector<torch::Tensor> weights;
        torch::load(weights, (dir / "weights.pt").string());
        setModuleState(module, weights);
        torch::load(best, (dir / "best.pt").string());
        torch::Tensor torchRng;
        torch::load(torchRng, (dir / "torch-rng.pt").string());
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(generator.mutex());
        generator.set_state(torchRng);
    } catch (const c10::Error& e) {
        throw Error(std::string("the checkpoint's tensors cannot be read (") +
                        e.what_without_backtrace() + ")",
                    folder);
    } catch (const Error& e) {
        throw Error(e.reason(), folder);
    }
    return s;
}

void loadOptimizerState(const std::string& folder, torch::optim::Optimizer& optimizer) {
    try {
        torch::load(optimizer, (fs::path(folder) / "optimizer.pt").string());
    } catch (const c10::Error& e) {
        throw Error(std::string("the checkpoint's optimizer state cannot be read (") +
                        e.what_without_backtrace() + ")",
                    folder);
    }
}

} // namespace spinelens::train
