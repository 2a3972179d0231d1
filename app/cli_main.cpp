// spinelens-cli: argument parsing, then hand-off to core/cli.
#include "cli/AiCommands.h"
#include "cli/Commands.h"
#include "cli/EvalCommands.h"
#include "cli/TrainCommand.h"

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char* kUsage = R"(usage: spinelens-cli COMMAND [options]

commands:
  info PATH...                      series found in files, folders and DICOMDIRs, as JSON
  convert INPUT OUTPUT [--series N] [--slice K]
                                    write a series or X-ray as .nii.gz, .nii, .nrrd, .mha
                                    (modality values) or one slice as .png (file's window)
  sample OUTDIR [--seed S]          write the synthetic sample study (MR, CT, X-ray phantoms)
  phantom --kind xray|mri --count N [--seed S] --out DIR
                                    labelled synthetic data set: X-rays in class folders,
                                    lumbar MRI studies in the RSNA 2024 layout
  train --architecture DIR --data PATH --out DIR [--epochs N] [--batch N] [--lr X]
        [--seed S] [--l2 X] [--patience N] [--no-augment] [--no-class-weights]
        [--freeze NAME]... [--unfreeze-after N] [--init-weights model.pt] [--resume] [--max-samples N]
        [--name NAME] [--int8-weights]
                                    train a model package (studies' protocol by default);
                                    --resume continues an interrupted run of the same
                                    command from OUT.checkpoint (written after every epoch)
  calibrate --model DIR --data DATASET
                                    fit the temperature and the domain model of a package on
                                    the split it records (train does this itself)
  classify --model DIR [--any-modality] PATH...
                                    calibrated per-class probabilities and the domain check,
                                    one JSON line per image (and one per series with max and
                                    mean over its in-domain slices); a series of another
                                    modality than the card's is skipped, named
  explain --model DIR --method gradcam|gradcam++|occlusion [--class NAME]
          [--series N] [--slice K] [--opacity A] [--allow-out-of-domain] [--any-modality]
          PATH --out OUT.png [--raw OUT.nrrd]
                                    heatmap blended over the image, and the float map (none
                                    for an image outside the model's training data)
  evaluate --model DIR --data DATASET [--split test|all] [--seed S] [--no-heatmaps]
           --out RUN.sqlite        evaluation run: every case, Grad-CAM maps, metrics;
                                    Ctrl+C stops, the same command resumes; --split test is
                                    the package's own test split (its recorded seed unless
                                    --seed), and a run that overlaps its training data says so
  metrics RUN.sqlite [--no-curves]  the run's metrics as JSON
  export RUN.sqlite [--csv OUT.csv] [--html OUT.html]
                                    cases with tags/notes as CSV; self-contained HTML report
  --version                         print the version
)";

int usage(const std::string& problem) {
    if (!problem.empty())
        std::cerr << "spinelens-cli: " << problem << "\n";
    std::cerr << kUsage;
    return spinelens::cli::Failed;
}

bool parseInt(const std::string& text, int& out) {
    try {
        std::size_t used = 0;
        out = std::stoi(text, &used);
        return used == text.size();
    } catch (...) {
        return false;
    }
}

} // namespace

int main(int argc, char** argv) {
    using namespace spinelens::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help")
        return usage(args.empty() ? "no command given" : "");
    if (args[0] == "--version") {
        std::cout << "spinelens-cli " << SPINELENS_VERSION << "\n";
        return Ok;
    }
    const std::string command = args[0];
    args.erase(args.begin());

    if (command == "info") {
        if (args.empty())
            return usage("info needs at least one PATH");
        return runInfo(args, std::cout, std::cerr);
    }
    if (command == "convert") {
        ConvertOptions o;
        std::vector<std::string> positional;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if ((args[i] == "--series" || args[i] == "--slice") && i + 1 < args.size()) {
                int& target = args[i] == "--series" ? o.seriesIndex : o.slice;
                if (!parseInt(args[++i], target))
                    return usage("not a number: " + args[i]);
            } else if (args[i].rfind("--", 0) == 0) {
                return usage("unknown option " + args[i]);
            } else {
                positional.push_back(args[i]);
            }
        }
        if (positional.size() != 2)
            return usage("convert needs INPUT and OUTPUT");
        o.input = positional[0];
        o.output = positional[1];
        return runConvert(o, std::cout, std::cerr);
    }
    if (command == "sample") {
        SampleOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            int seed = 0;
            if (args[i] == "--seed" && i + 1 < args.size()) {
                if (!parseInt(args[++i], seed) || seed < 0)
                    return usage("not a seed: " + args[i]);
                o.seed = std::uint64_t(seed);
            } else if (args[i].rfind("--", 0) == 0) {
                return usage("unknown option " + args[i]);
            } else {
                o.outputFolder = args[i];
            }
        }
        if (o.outputFolder.empty())
            return usage("sample needs OUTDIR");
        return runSample(o, std::cout, std::cerr);
    }
    if (command == "phantom") {
        PhantomOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const bool hasValue = i + 1 < args.size();
            int number = 0;
            if (args[i] == "--kind" && hasValue)
                o.kind = args[++i];
            else if (args[i] == "--out" && hasValue)
                o.outputFolder = args[++i];
            else if ((args[i] == "--count" || args[i] == "--seed") && hasValue) {
                const std::string& name = args[i];
                if (!parseInt(args[++i], number) || number < (name == "--count" ? 1 : 0))
                    return usage("not a valid " + name.substr(2) + ": " + args[i]);
                if (name == "--count")
                    o.count = number;
                else
                    o.seed = std::uint64_t(number);
            } else
                return usage("unknown option " + args[i]);
        }
        if (o.kind.empty() || o.count < 1 || o.outputFolder.empty())
            return usage("phantom needs --kind, --count and --out");
        return runPhantom(o, std::cout, std::cerr);
    }
    if (command == "train") {
        spinelens::train::TrainOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            const bool hasValue = i + 1 < args.size();
            int number = 0;
            auto intArg = [&](int& target, int minimum) {
                if (!parseInt(args[++i], number) || number < minimum)
                    return false;
                target = number;
                return true;
            };
            if (a == "--architecture" && hasValue)
                o.architecture = args[++i];
            else if (a == "--data" && hasValue)
                o.dataset = args[++i];
            else if (a == "--out" && hasValue)
                o.output = args[++i];
            else if (a == "--name" && hasValue)
                o.name = args[++i];
            else if (a == "--init-weights" && hasValue)
                o.initWeights = args[++i];
            else if (a == "--resume")
                o.resume = true;
            else if (a == "--freeze" && hasValue)
                o.freeze.push_back(args[++i]);
            else if (a == "--epochs" && hasValue) {
                if (!intArg(o.epochs, 1))
                    return usage("not a valid epoch count: " + args[i]);
            } else if (a == "--batch" && hasValue) {
                if (!intArg(o.batchSize, 1))
                    return usage("not a valid batch size: " + args[i]);
            } else if (a == "--patience" && hasValue) {
                if (!intArg(o.patience, 1))
                    return usage("not a valid patience: " + args[i]);
            } else if (a == "--unfreeze-after" && hasValue) {
                if (!intArg(o.unfreezeAfter, 0))
                    return usage("not a valid epoch: " + args[i]);
            } else if (a == "--max-samples" && hasValue) {
                if (!intArg(o.maxSamples, 1))
                    return usage("not a valid sample count: " + args[i]);
            } else if (a == "--seed" && hasValue) {
                if (!parseInt(args[++i], number) || number < 0)
                    return usage("not a valid seed: " + args[i]);
                o.seed = std::uint64_t(number);
            } else if ((a == "--lr" || a == "--l2") && hasValue) {
                try {
                    (a == "--lr" ? o.learningRate : o.l2) = std::stod(args[++i]);
                } catch (...) {
                    return usage("not a number: " + args[i]);
                }
            } else if (a == "--no-augment")
                o.augment = false;
            else if (a == "--no-class-weights")
                o.classWeights = false;
            else if (a == "--int8-weights")
                o.int8Weights = true;
            else
                return usage("unknown option " + a);
        }
        if (o.architecture.empty() || o.dataset.empty() || o.output.empty())
            return usage("train needs --architecture, --data and --out");
        o.commandLine = "spinelens-cli train";
        for (const std::string& a : args)
            o.commandLine += " " + a;
        return runTrain(o, std::cout, std::cerr);
    }
    if (command == "calibrate")
        return runCalibrate(args, std::cout, std::cerr);
    if (command == "evaluate")
        return runEvaluate(args, std::cout, std::cerr);
    if (command == "metrics")
        return runMetrics(args, std::cout, std::cerr);
    if (command == "export")
        return runExport(args, std::cout, std::cerr);
    if (command == "classify") {
        ClassifyOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (args[i] == "--model" && i + 1 < args.size())
                o.modelFolder = args[++i];
            else if (args[i] == "--any-modality")
                o.anyModality = true;
            else if (args[i].rfind("--", 0) == 0)
                return usage("unknown option " + args[i]);
            else
                o.paths.push_back(args[i]);
        }
        if (o.modelFolder.empty() || o.paths.empty())
            return usage("classify needs --model DIR and at least one PATH");
        return runClassify(o, std::cout, std::cerr);
    }
    if (command == "explain") {
        ExplainOptions o;
        for (std::size_t i = 0; i < args.size(); ++i) {
            const std::string& a = args[i];
            const bool hasValue = i + 1 < args.size();
            if (a == "--model" && hasValue)
                o.modelFolder = args[++i];
            else if (a == "--method" && hasValue)
                o.method = args[++i];
            else if (a == "--class" && hasValue)
                o.className = args[++i];
            else if (a == "--out" && hasValue)
                o.outPng = args[++i];
            else if (a == "--raw" && hasValue)
                o.rawOut = args[++i];
            else if (a == "--allow-out-of-domain")
                o.allowOutOfDomain = true;
            else if (a == "--any-modality")
                o.anyModality = true;
            else if ((a == "--slice" || a == "--series") && hasValue) {
                if (!parseInt(args[++i], a == "--slice" ? o.slice : o.seriesIndex))
                    return usage("not a number: " + args[i]);
            } else if (a == "--opacity" && hasValue) {
                try {
                    o.opacity = std::stof(args[++i]);
                } catch (...) {
                    return usage("not a number: " + args[i]);
                }
            } else if (a.rfind("--", 0) == 0)
                return usage("unknown option " + a);
            else if (o.path.empty())
                o.path = a;
            else
                return usage("explain takes one PATH");
        }
        if (o.modelFolder.empty() || o.path.empty() || o.outPng.empty())
            return usage("explain needs --model DIR, PATH and --out OUT.png");
        return runExplain(o, std::cout, std::cerr);
    }
    return usage("unknown command '" + command + "'");
}
