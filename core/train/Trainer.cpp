#include "train/Trainer.h"

#include "Error.h"
#include "ai/ModelCard.h"
#include "ai/ModuleFile.h"
#include "ai/Preprocessor.h"
#include "ai/TorchModel.h"
#include "study/CaseImage.h"
#include "train/Calibrate.h"
#include "train/Split.h"
#include "train/TrainCheckpoint.h"
#include "train/TrainingReport.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>

namespace fs = std::filesystem;

namespace spinelens::train {
namespace {

using Clock = std::chrono::steady_clock;

struct Tensors {
    std::vector<float> inputs; ///< n * C * H * W, preprocessed
    std::vector<std::int64_t> labels;
    int count() const { return int(labels.size()); }
};

Tensors loadSplit(const data::Dataset& d, const std::vector<int>& indices,
                  const ai::Preprocessor& pre, std::vector<FileFailure>& skipped) {
    Tensors t;
    for (int i : indices) {
        const data::Sample& s = d.samples[std::size_t(i)];
        try {
            const CaseImage image = loadCaseImage(s.path);
            const std::vector<float> input =
                pre(image.pixels.data(), image.width, image.height, &image.display);
            t.inputs.insert(t.inputs.end(), input.begin(), input.end());
            t.labels.push_back(s.label);
        } catch (const Error& e) {
            skipped.push_back({s.path, e.reason()});
        }
    }
    return t;
}

struct LossAndAccuracy {
    double loss = 0, accuracy = 0;
};

torch::Tensor lossFor(const ai::ModelCard& card, const torch::Tensor& logits,
                      const torch::Tensor& labels, const torch::Tensor& classWeights) {
    if (card.expectedOutputs() == 1) {
        const torch::Tensor target = labels.to(torch::kFloat32);
        const torch::Tensor weights = classWeights.index_select(0, labels);
        return torch::binary_cross_entropy_with_logits(logits.squeeze(1), target, weights);
    }
    return torch::nn::functional::cross_entropy(
        logits, labels, torch::nn::functional::CrossEntropyFuncOptions().weight(classWeights));
}

torch::Tensor predictions(const ai::ModelCard& card, const torch::Tensor& logits) {
    if (card.expectedOutputs() == 1)
        return (logits.squeeze(1) > 0).to(torch::kInt64);
    return logits.argmax(1);
}

LossAndAccuracy evaluate(torch::jit::Module& module, const ai::ModelCard& card, const Tensors& t,
                         const torch::Tensor& classWeights, int batchSize) {
    LossAndAccuracy r;
    if (t.count() == 0)
        return r;
    module.eval();
    torch::NoGradGuard noGrad;
    const std::int64_t per = std::int64_t(t.inputs.size() / std::size_t(t.count()));
    double lossSum = 0;
    std::int64_t correct = 0;
    for (int first = 0; first < t.count(); first += batchSize) {
        const int n = std::min(batchSize, t.count() - first);
        torch::Tensor x =
            torch::from_blob(const_cast<float*>(t.inputs.data()) + per * first,
                             {n, card.channels, card.height, card.width}, torch::kFloat32);
        torch::Tensor y = torch::from_blob(const_cast<std::int64_t*>(t.labels.data()) + first, {n},
                                           torch::kInt64);
        torch::Tensor logits = module.forward({x}).toTensor();
        lossSum += lossFor(card, logits, y, classWeights).item<double>() * n;
        correct += (predictions(card, logits) == y).sum().item<std::int64_t>();
    }
    r.loss = lossSum / t.count();
    r.accuracy = double(correct) / t.count();
    return r;
}

void setFrozen(torch::jit::Module& module, const std::vector<std::string>& patterns, bool frozen) {
    for (const auto& p : module.named_parameters(true))
        for (const auto& pattern : patterns)
            if (p.name.find(pattern) != std::string::npos)
                p.value.set_requires_grad(!frozen);
}

std::vector<torch::Tensor> trainable(torch::jit::Module& module) {
    std::vector<torch::Tensor> out;
    for (const auto& p : module.parameters(true))
        if (p.requires_grad())
            out.push_back(p);
    return out;
}

// Class weights: N / (K * n_c), so rare classes count as much as common ones.
torch::Tensor classWeightsFor(const ai::ModelCard& card, const Tensors& trainSet, bool enabled) {
    std::vector<float> weights(card.classes.size(), 1.0f);
    if (enabled) {
        std::vector<int> n(card.classes.size(), 0);
        for (auto l : trainSet.labels)
            ++n[std::size_t(l)];
        for (std::size_t c = 0; c < n.size(); ++c)
            weights[c] = n[c] ? float(trainSet.count()) / float(n.size() * n[c]) : 0.0f;
    }
    return torch::tensor(weights);
}

// Everything that must match for --resume to continue a run (not --epochs: a resumed run may
// go on for longer).
nlohmann::json runFingerprint(const TrainOptions& o, const fs::path& arch, const data::Dataset& d,
                              const Split& split) {
    return {{"architecture", fs::absolute(arch).lexically_normal().string()},
            {"initWeights", o.initWeights},
            {"dataset", fs::absolute(o.dataset).lexically_normal().string()},
            {"split", splitHash(d, split)},
            {"seed", o.seed},
            {"batch", o.batchSize},
            {"learningRate", o.learningRate},
            {"l2", o.l2},
            {"augment", o.augment && o.augmentations.any()},
            {"classWeights", o.classWeights},
            {"freeze", o.freeze},
            {"unfreezeAfter", o.unfreezeAfter},
            {"patience", o.patience}};
}

// One pass over the training split in shuffled batches (augmented when asked): forward, loss
// with the L2 term, backward, step. Stops the run on a loss that is not a finite number.
struct EpochRunner {
    const TrainOptions& o;
    const ai::ModelCard& card;
    torch::jit::Module& module;
    const Tensors& trainSet;
    const torch::Tensor& classWeights;
    const std::vector<torch::Tensor>& convKernels;
    std::mt19937_64& rng;
    CheckpointState& state; ///< trainSeconds and trainImages grow here
    int firstEpoch;
    Clock::time_point start;

    struct Totals {
        double lossSum = 0;
        std::int64_t correct = 0;
    };

    Totals run(torch::optim::Optimizer& optimizer, int epoch) {
        const std::int64_t per = std::int64_t(card.channels) * card.height * card.width;
        const int batches = (trainSet.count() + o.batchSize - 1) / o.batchSize;
        module.train();
        std::vector<int> order(std::size_t(trainSet.count()));
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        Totals t;
        for (int b = 0; b < batches; ++b) {
            const int first = b * o.batchSize, n = std::min(o.batchSize, trainSet.count() - first);
            std::vector<float> batch(std::size_t(per) * n);
            std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
            for (int k = 0; k < n; ++k) {
                const int i = order[std::size_t(first + k)];
                std::vector<float> one(trainSet.inputs.begin() + per * i,
                                       trainSet.inputs.begin() + per * (i + 1));
                if (o.augment && o.augmentations.any())
                    augment(one, card.channels, card.height, card.width, o.augmentations, rng);
                std::copy(one.begin(), one.end(), batch.begin() + per * k);
                labels[std::size_t(k)] = trainSet.labels[std::size_t(i)];
            }
            const auto stepStart = Clock::now();
            torch::Tensor x = torch::from_blob(
                batch.data(), {n, card.channels, card.height, card.width}, torch::kFloat32);
            torch::Tensor y = torch::from_blob(labels.data(), {n}, torch::kInt64);
            optimizer.zero_grad();
            torch::Tensor logits = module.forward({x}).toTensor();
            torch::Tensor loss = lossFor(card, logits, y, classWeights);
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue))
                // Diverged: nothing after this would mean anything, and nothing is written.
                throw Error("training stopped at epoch " + std::to_string(epoch) + ", batch " +
                                std::to_string(b + 1) + ": the loss is " +
                                (std::isnan(lossValue) ? "not a number" : "infinite") +
                                " (the weights diverged); lower --lr (now " +
                                std::to_string(o.learningRate) + ") or check the images",
                            o.dataset);
            torch::Tensor total = loss;
            if (o.l2 > 0)
                for (const auto& w : convKernels)
                    total = total + o.l2 * w.pow(2).sum();
            total.backward();
            optimizer.step();
            state.trainSeconds += std::chrono::duration<double>(Clock::now() - stepStart).count();
            state.trainImages += n;
            t.lossSum += lossValue * n;
            t.correct += (predictions(card, logits.detach()) == y).sum().item<std::int64_t>();
            if (o.progress) {
                const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
                const double done = (epoch - firstEpoch) + double(b + 1) / batches;
                o.progress({epoch, o.epochs, b + 1, batches, loss.item<double>(),
                            elapsed / done * (o.epochs - firstEpoch + 1 - done)});
            }
        }
        return t;
    }
};

// The new package's card: the architecture's, with what training did and on what.
nlohmann::json trainedCard(const TrainOptions& o, const ai::ModelCard& card, const fs::path& arch,
                           const data::Dataset& d, const TrainResult& result) {
    std::ifstream cardIn(arch / "model.json");
    nlohmann::json j = nlohmann::json::parse(cardIn);
    const bool synthetic = fs::exists(fs::path(d.root) / "SYNTHETIC.txt") ||
                           (fs::is_regular_file(o.dataset) &&
                            fs::exists(fs::path(o.dataset).parent_path() / "SYNTHETIC.txt"));
    j["name"] = o.name.empty() ? card.name + "-trained" : o.name;
    j["version"] = "1.0.0";
    j["provenance"]["weights"] = "trained by spinelens-cli train from " + card.name;
    j["provenance"]["dataset"] =
        d.layout + " at " + d.root + (synthetic ? " (synthetic phantoms)" : "");
    j["provenance"]["synthetic"] = synthetic;
    j["provenance"]["splitSeed"] = o.seed;
    if (o.maxSamples > 0)
        j["provenance"]["maxSamples"] = o.maxSamples; // calibrate rebuilds the same subset
    j["provenance"]["epochs"] = int(result.epochs.size());
    j["provenance"]["bestEpoch"] = result.bestEpoch;
    j["provenance"]["samples"] = {
        {"train", result.trainSamples}, {"val", result.valSamples}, {"test", result.testSamples}};
    j["provenance"]["metrics"] = {{"testAccuracy", result.storedTestAccuracy},
                                  {"testAccuracyFloat32", result.testAccuracy}};
    if (!o.commandLine.empty())
        j["provenance"]["trainingCommand"] = o.commandLine;
    j["provenance"]["weightStorage"] =
        o.int8Weights ? "int8 per output channel for weights of 4096+ values, float32 otherwise"
                      : "float32";
    j["intendedUse"] =
        synthetic
            ? "Research and software testing only: trained on synthetic phantoms, not patient "
              "images. Not clinically validated; not for diagnosis."
            : "Research use only. Not clinically validated; not for diagnosis.";
    j["clinicallyValidated"] = false;
    return j;
}

// Writes beside the target, then renames: a failed or interrupted run leaves nothing half-done.
// Calibrates the package on the same split before it is put in place.
void writePackage(const TrainOptions& o, const ai::ModelCard& card, const fs::path& arch,
                  torch::jit::Module& module, const data::Dataset& d, const Split& split,
                  const Tensors& testSet, const torch::Tensor& classWeights, TrainResult& result) {
    const fs::path out(o.output);
    const fs::path tmp = out.string() + ".partial";
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        throw Error("cannot create the output folder (" + ec.message() + ")", tmp.string());
    ai::saveModuleFile(module, (tmp / "model.pt").string(), o.int8Weights);
    if (o.int8Weights) {
        // What users get is the stored weights: measure them, not only the float ones.
        torch::jit::Module stored = ai::loadModuleFile((tmp / "model.pt").string());
        stored.eval();
        result.storedTestAccuracy =
            evaluate(stored, card, testSet, classWeights, o.batchSize).accuracy;
    } else {
        result.storedTestAccuracy = result.testAccuracy;
    }
    const nlohmann::json j = trainedCard(o, card, arch, d, result);
    std::ofstream(tmp / "model.json") << j.dump(2) << '\n';
    writeTrainingReport((tmp / "report").string(), result, o, j["name"].get<std::string>());
    try {
        result.calibration = calibrateWithSplit(tmp.string(), d, split);
    } catch (const Error& e) {
        // The trained weights are worth keeping: the package is written uncalibrated, and says
        // so (no "calibration" in its card, no domain.json); calibrate can be run on it later.
        result.calibrationError = e.what();
    }
    fs::remove_all(out, ec);
    fs::rename(tmp, out, ec);
    if (ec)
        throw Error("cannot move the finished package into place (" + ec.message() + ")",
                    out.string());
    result.package = out.string();
}

} // namespace

TrainResult trainModel(const TrainOptions& o) {
    ai::setTorchThreads(o.threads);
    torch::manual_seed(o.seed);
    const fs::path arch(o.architecture);
    const ai::ModelCard card = ai::ModelCard::fromFile((arch / "model.json").string());
    torch::jit::Module module =
        ai::loadModuleFile(o.initWeights.empty() ? (arch / "model.pt").string() : o.initWeights);

    data::Dataset d = data::openDataset(o.dataset, card.classes);
    mapLabelsToModel(d, card.classes);
    limitSamples(d, o.seed, o.maxSamples);
    if (d.samples.empty())
        throw Error("the data set has no usable samples", o.dataset);
    const Split split = splitDataset(d, o.seed);

    TrainResult result;
    result.skipped = d.problems;
    const ai::Preprocessor pre(card);
    const Tensors trainSet = loadSplit(d, split.train, pre, result.skipped);
    const Tensors valSet = loadSplit(d, split.val, pre, result.skipped);
    const Tensors testSet = loadSplit(d, split.test, pre, result.skipped);
    result.trainSamples = trainSet.count();
    result.valSamples = valSet.count();
    result.testSamples = testSet.count();
    if (trainSet.count() == 0)
        throw Error("no training image could be read", o.dataset);
    const torch::Tensor classWeights = classWeightsFor(card, trainSet, o.classWeights);

    // A fresh run, or the interrupted one continued from its checkpoint.
    const std::string checkpoint = checkpointFolder(o.output);
    std::mt19937_64 rng(o.seed);
    std::vector<torch::Tensor> bestState;
    CheckpointState state;
    state.fingerprint = runFingerprint(o, arch, d, split);
    state.bestValLoss = std::numeric_limits<double>::infinity();
    if (o.resume)
        state = readCheckpoint(checkpoint, state.fingerprint, module, bestState, rng);
    // Frozen as the run was at the epoch it goes on from.
    const bool unfrozen =
        !o.freeze.empty() && o.unfreezeAfter >= 0 && state.epoch > o.unfreezeAfter;
    setFrozen(module, o.freeze, !unfrozen);
    auto optimizer = std::make_unique<torch::optim::Adam>(
        trainable(module), torch::optim::AdamOptions(o.learningRate));
    if (o.resume)
        loadOptimizerState(checkpoint, *optimizer);
    std::vector<torch::Tensor> convKernels;
    for (const auto& p : module.named_parameters(true))
        if (p.value.dim() == 4)
            convKernels.push_back(p.value);
    if (!o.resume)
        state.initialTrainLoss = evaluate(module, card, trainSet, classWeights, o.batchSize).loss;
    result.initialTrainLoss = state.initialTrainLoss;
    result.epochs = state.epochs;
    result.bestEpoch = state.bestEpoch;

    EpochRunner runner{o,           card, module, trainSet,        classWeights,
                       convKernels, rng,  state,  state.epoch + 1, Clock::now()};
    // A resumed run that had already stopped early goes straight to writing the package.
    const bool stoppedEarly = o.resume && state.sinceBest >= o.patience;
    for (int epoch = runner.firstEpoch; epoch <= o.epochs && !stoppedEarly; ++epoch) {
        if (o.unfreezeAfter >= 0 && epoch == o.unfreezeAfter + 1 && !o.freeze.empty()) {
            setFrozen(module, o.freeze, false);
            optimizer = std::make_unique<torch::optim::Adam>(
                trainable(module), torch::optim::AdamOptions(o.learningRate));
        }
        const auto epochStart = Clock::now();
        const EpochRunner::Totals t = runner.run(*optimizer, epoch);
        EpochStats e;
        e.epoch = epoch;
        e.trainLoss = t.lossSum / trainSet.count();
        e.trainAccuracy = double(t.correct) / trainSet.count();
        const LossAndAccuracy v =
            evaluate(module, card, valSet.count() ? valSet : trainSet, classWeights, o.batchSize);
        e.valLoss = v.loss;
        e.valAccuracy = v.accuracy;
        e.seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
        result.epochs.push_back(e);
        if (!std::isfinite(e.valLoss))
            throw Error("training stopped after epoch " + std::to_string(epoch) +
                            ": the validation loss is not a finite number (the weights "
                            "diverged); lower --lr (now " +
                            std::to_string(o.learningRate) + ") or check the images",
                        o.dataset);
        if (e.valLoss < state.bestValLoss) {
            state.bestValLoss = e.valLoss;
            result.bestEpoch = epoch;
            state.sinceBest = 0;
            bestState = moduleState(module);
        } else {
            ++state.sinceBest;
        }
        state.epoch = epoch;
        state.bestEpoch = result.bestEpoch;
        state.epochs = result.epochs;
        writeCheckpoint(checkpoint, state, module, bestState, *optimizer, rng);
        if (o.epochDone)
            o.epochDone(e);
        if (state.sinceBest >= o.patience)
            break; // early stopping: validation loss stopped improving
    }
    if (bestState.empty())
        throw Error("no epoch was trained (the checkpoint is at epoch " +
                        std::to_string(state.epoch) + " of " + std::to_string(o.epochs) + ")",
                    checkpoint);
    setModuleState(module, bestState);
    result.testAccuracy = evaluate(module, card, testSet, classWeights, o.batchSize).accuracy;
    result.finalTrainLoss = evaluate(module, card, trainSet, classWeights, o.batchSize).loss;
    result.imagesPerSecond =
        state.trainSeconds > 0 ? double(state.trainImages) / state.trainSeconds : 0.0;
    module.eval();

    writePackage(o, card, arch, module, d, split, testSet, classWeights, result);
    std::error_code ec;
    fs::remove_all(checkpoint, ec); // the run is finished: nothing left to resume
    return result;
}

} // namespace spinelens::train
