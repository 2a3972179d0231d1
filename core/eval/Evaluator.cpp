#include "eval/Evaluator.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "ai/TorchModel.h"
#include "data/Dataset.h"
#include "eval/Metrics.h"
#include "eval/MetricsJson.h"
#include "eval/RunFile.h"
#include "study/CaseImage.h"
#include "train/Calibrate.h"
#include "train/Split.h"
#include "util/Hash.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>

namespace fs = std::filesystem;

namespace spinelens::eval {
namespace {

using Clock = std::chrono::steady_clock;

// Which cases and labels, not their bytes: re-reading a large data set would cost as much as
// the run. File sizes catch most replaced images.
std::string datasetHash(const data::Dataset& d, const std::vector<int>& chosen) {
    std::vector<std::string> lines;
    for (int i : chosen) {
        const data::Sample& s = d.samples[std::size_t(i)];
        std::error_code ec;
        const auto size = fs::file_size(s.path, ec);
        lines.push_back(s.path + '\t' + std::to_string(s.label) + '\t' +
                        std::to_string(ec ? 0 : size));
    }
    std::sort(lines.begin(), lines.end());
    Fnv1a h;
    for (const auto& l : lines)
        h.add(l + '\n');
    return h.hex();
}

struct Loaded {
    CaseImage image;
    std::string error;
};

// The split the package was trained on, rebuilt from this data set the way the trainer built it
// (labels in the model's order, --max-samples, the seed), and whether it is that split: its
// fingerprint against provenance.split.hash. `note` says what a reader of the run must know.
struct PackageSplit {
    bool rebuilt = false;
    std::set<std::string> testPaths; ///< as the data set lists them (before absolute())
    std::string note;
};

PackageSplit packageSplit(const data::Dataset& dataset, const ai::ModelCard& card,
                          std::uint64_t seed, const std::string& split) {
    PackageSplit r;
    const nlohmann::json& p = card.provenance;
    const std::string recorded = p.contains("split") && p["split"].is_object()
                                     ? p["split"].value("hash", std::string())
                                     : std::string();
    bool same = false;
    int trainImages = 0, valImages = 0;
    try {
        data::Dataset d = dataset;
        train::mapLabelsToModel(d, card.classes);
        train::limitSamples(d, seed, p.value("maxSamples", 0));
        const train::Split s = train::splitDataset(d, seed);
        for (int i : s.test)
            r.testPaths.insert(d.samples[std::size_t(i)].path);
        r.rebuilt = true;
        same = !recorded.empty() && train::splitHash(d, s) == recorded;
        trainImages = int(s.train.size());
        valImages = int(s.val.size());
    } catch (const Error&) {
        // Classes the model lacks or too little data: the split cannot be the package's.
    }
    if (split == "all" && same)
        r.note = "this is the data set " + card.name + " was trained on: the run includes its " +
                 std::to_string(trainImages) + " training and " + std::to_string(valImages) +
                 " validation images, so its figures overstate what the model does on new "
                 "images (--split test keeps to the held-out test split)";
    else if (split == "test" && recorded.empty())
        r.note = card.name +
                 " records no fingerprint of its training split, so this test "
                 "split (seed " +
                 std::to_string(seed) +
                 ") cannot be checked against it: the cases may include training images";
    else if (split == "test" && !same)
        r.note = "this data set does not give the split " + card.name +
                 " was trained on (its fingerprint differs): the \"test\" cases may include "
                 "images the model was trained on";
    return r;
}

Loaded load(const std::string& path) {
    Loaded l;
    try {
        l.image = loadCaseImage(path, true);
    } catch (const std::exception& e) {
        l.error = e.what();
    }
    return l;
}

// The cases a run covers: the data set, the split asked for (the package's own test split
// when it can be rebuilt), labels mapped onto the model's classes; what cannot be used goes
// to result.datasetProblems.
struct CasePlan {
    data::Dataset dataset;
    std::uint64_t seed = 1;
    PackageSplit own;
    std::vector<int> toModel; ///< data set class index -> model output index (-1: none)
    std::vector<int> usable;  ///< sample indices to evaluate
};

CasePlan planCases(const EvaluateOptions& o, const ai::ModelCard& card, EvaluateResult& result) {
    CasePlan plan;
    data::Dataset& d = plan.dataset;
    d = data::openDataset(o.dataset, card.classes);
    plan.seed = o.seed ? *o.seed : card.provenance.value("splitSeed", std::uint64_t(1));
    plan.own = packageSplit(d, card, plan.seed, o.split);
    // Absolute paths, so the run file finds its images from wherever it is opened.
    std::vector<std::string> relativePaths;
    for (const data::Sample& s : d.samples)
        relativePaths.push_back(s.path);
    for (data::Sample& s : d.samples)
        s.path = fs::absolute(s.path).lexically_normal().string();
    result.datasetProblems = d.problems;
    if (d.samples.empty()) {
        std::string classes;
        for (const auto& c : card.classes)
            classes += (classes.empty() ? "" : ", ") + c;
        throw Error("has no images with a label this model knows (model classes: " + classes + ")",
                    o.dataset);
    }
    // Labels are the data set's class indices; map them onto the model's output order.
    plan.toModel.assign(d.classes.size(), -1);
    for (std::size_t i = 0; i < d.classes.size(); ++i)
        for (std::size_t c = 0; c < card.classes.size(); ++c)
            if (data::normaliseClassName(d.classes[i]) == data::normaliseClassName(card.classes[c]))
                plan.toModel[i] = int(c);
    std::vector<int> chosen;
    if (o.split == "all") {
        for (std::size_t i = 0; i < d.samples.size(); ++i)
            chosen.push_back(int(i));
    } else if (plan.own.rebuilt) { // the package's own test split, as the trainer made it
        for (std::size_t i = 0; i < d.samples.size(); ++i)
            if (plan.own.testPaths.count(relativePaths[i]))
                chosen.push_back(int(i));
    } else {
        chosen = train::splitDataset(d, plan.seed).test;
    }
    result.splitNote = plan.own.note;
    for (int i : chosen) {
        const data::Sample& s = d.samples[std::size_t(i)];
        if (s.label >= 0 && plan.toModel[std::size_t(s.label)] >= 0)
            plan.usable.push_back(i);
        else
            result.datasetProblems.push_back({s.path, "label not among the model's classes"});
    }
    result.total = int(plan.usable.size());
    return plan;
}

RunInfo runInfoFor(const EvaluateOptions& o, const ai::ModelPackage& package, const CasePlan& plan,
                   int plannedCases) {
    const ai::ModelCard& card = package.card();
    RunInfo info;
    info.modelName = card.name;
    info.modelVersion = card.version;
    info.modelHash = packageHash(o.model);
    info.modelFolder = fs::absolute(o.model).lexically_normal().string();
    info.datasetRoot = fs::absolute(plan.dataset.root).lexically_normal().string();
    info.datasetLayout = plan.dataset.layout;
    info.datasetHash = datasetHash(plan.dataset, plan.usable);
    info.split = o.split;
    info.seed = plan.seed;
    info.splitNote = plan.own.note;
    info.programVersion = SPINELENS_VERSION;
    info.classes = card.classes;
    info.syntheticModel = card.synthetic;
    info.syntheticData = fs::exists(fs::path(plan.dataset.root) / "SYNTHETIC.txt");
    info.plannedCases = plannedCases;
    if (const ai::DomainModel* domain = package.domain()) {
        info.domainChecked = true;
        info.domainThreshold = domain->threshold();
    }
    return info;
}

// The model's answer for one case (and, when `maps`, both Grad-CAM maps from the same network
// pass). Throws spinelens::Error for an image the model cannot take.
void assessCase(const ai::ModelPackage& package, const ai::Classifier& classifier, bool maps,
                const ai::GreyImage& grey, CaseRecord& c, StoredHeatmap& predictedMap,
                StoredHeatmap& trueMap) {
    ai::Prediction p;
    if (maps) {
        const ai::ExplainedPrediction e = ai::explainPrediction(package, grey, c.trueLabel);
        p = e.prediction;
        predictedMap = compactHeatmap(e.predicted.values, e.predicted.width, e.predicted.height);
        if (e.hasOther)
            trueMap = compactHeatmap(e.other.values, e.other.width, e.other.height);
    } else {
        p = classifier.predict(grey);
    }
    c.probabilities = p.probabilities;
    c.predicted = p.predicted;
    c.domainChecked = p.domain.checked;
    c.domainScore = p.domain.score;
    c.inDomain = p.domain.inDomain;
    c.correct = c.predicted == c.trueLabel;
    c.loss = -std::log(std::max(1e-12, double(p.probabilities[std::size_t(c.trueLabel)])));
}

// Keeps what was left out with the run, merged with an earlier (resumed) invocation's.
void keepSkipped(RunFile& run, const EvaluateResult& result) {
    std::vector<SkippedInput> skipped = run.skipped();
    std::set<std::string> known;
    for (const auto& s : skipped)
        known.insert(s.path);
    for (const auto* list : {&result.datasetProblems, &result.failures})
        for (const FileFailure& f : *list)
            if (known.insert(f.path).second)
                skipped.push_back({f.path, f.reason});
    run.setSkipped(skipped);
}

} // namespace

std::string packageHash(const std::string& folder) {
    Fnv1a h;
    if (!h.addFile((fs::path(folder) / "model.pt").string()) ||
        !h.addFile((fs::path(folder) / "model.json").string()))
        throw Error("model package cannot be read", folder);
    // The domain model too: a run resumed after recalibration would mix two thresholds.
    for (const char* f : {"domain.json", "domain-means.npy", "domain-precision.npy"})
        h.addFile((fs::path(folder) / f).string());
    return h.hex();
}

EvaluateResult evaluate(const EvaluateOptions& o) {
    const auto start = Clock::now();
    EvaluateResult result;
    if (o.split != "test" && o.split != "all")
        throw Error("--split must be test or all, not " + o.split);
    // LibTorch's intra-op pool started with one thread in this process (measured: 103 % CPU on
    // 2 cores); every core it may use must be asked for before the first tensor operation.
    ai::setTorchThreads(0);
    auto package = ai::ModelPackage::load(o.model);
    const CasePlan plan = planCases(o, package->card(), result);
    const data::Dataset& d = plan.dataset;
    std::unique_ptr<RunFile> run =
        RunFile::create(o.output, runInfoFor(o, *package, plan, result.total));

    const std::set<std::string> done = run->finishedPaths();
    std::vector<int> todo;
    for (int i : plan.usable)
        if (!done.count(d.samples[std::size_t(i)].path))
            todo.push_back(i);
    result.alreadyDone = result.total - int(todo.size());

    const ai::Classifier classifier(package);
    const bool maps = o.heatmaps && package->supportsGradCam();
    if (o.heatmaps && !maps)
        result.heatmapError = "the model does not export features() and classify(), so no "
                              "Grad-CAM maps were stored";
    // The next image decodes on another core while this one runs through the model.
    std::future<Loaded> next;
    if (!todo.empty())
        next = std::async(std::launch::async, load, d.samples[std::size_t(todo[0])].path);
    const auto loopStart = Clock::now();
    for (std::size_t k = 0; k < todo.size(); ++k) {
        if (o.cancel && o.cancel->load()) {
            result.cancelled = true;
            break;
        }
        const data::Sample& s = d.samples[std::size_t(todo[k])];
        Loaded current = next.get();
        if (k + 1 < todo.size())
            next = std::async(std::launch::async, load, d.samples[std::size_t(todo[k + 1])].path);
        if (!current.error.empty()) {
            result.failures.push_back({s.path, current.error});
            continue;
        }
        const ai::GreyImage grey{current.image.pixels.data(), current.image.width,
                                 current.image.height, &current.image.display};
        CaseRecord c;
        c.path = s.path;
        c.group = s.group;
        c.studyUid = current.image.studyUid;
        c.seriesUid = current.image.seriesUid;
        c.sopUid = current.image.sopUid;
        c.trueLabel = plan.toModel[std::size_t(s.label)];
        StoredHeatmap predictedMap, trueMap;
        try {
            assessCase(*package, classifier, maps, grey, c, predictedMap, trueMap);
        } catch (const Error& e) {
            result.failures.push_back({s.path, e.what()});
            continue;
        }
        run->addCase(c, &predictedMap, &trueMap);
        ++result.evaluated;
        if (result.evaluated % std::max(1, o.flushEvery) == 0)
            run->flush();
        if (o.progress) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - loopStart).count();
            const int finished = int(k + 1);
            o.progress({finished, int(todo.size()),
                        elapsed / finished * double(int(todo.size()) - finished)});
        }
    }
    if (next.valid())
        next.wait();
    run->flush();
    keepSkipped(*run, result);
    if (!result.cancelled) {
        run.reset(); // metrics read what was committed
        refreshMetrics(o.output);
        RunFile::open(o.output)->setComplete(true);
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

Metrics runMetrics(const RunInfo& info, const std::vector<CaseRecord>& cases,
                   const std::string& runFile) {
    std::vector<int> labels;
    std::vector<std::vector<double>> probabilities;
    DomainCoverage domain;
    domain.checked = info.domainChecked;
    domain.threshold = info.domainThreshold;
    int correctInDomain = 0;
    for (const CaseRecord& c : cases) {
        if (c.probabilities.size() != info.classes.size())
            throw Error("a case has " + std::to_string(c.probabilities.size()) +
                            " probabilities for " + std::to_string(info.classes.size()) +
                            " classes",
                        runFile);
        ++domain.cases;
        domain.inDomain += c.inDomain ? 1 : 0;
        correctInDomain += c.inDomain && c.correct ? 1 : 0;
        labels.push_back(c.trueLabel);
        probabilities.emplace_back(c.probabilities.begin(), c.probabilities.end());
    }
    MetricsOptions options;
    for (const CaseRecord& c : cases)
        options.groups.push_back(c.group);
    Metrics metrics = computeMetrics(labels, probabilities, info.classes, options);
    domain.coverage = domain.cases ? double(domain.inDomain) / domain.cases : NAN;
    domain.accuracyInDomain = domain.inDomain ? double(correctInDomain) / domain.inDomain : NAN;
    metrics.domain = domain;
    return metrics;
}

std::string refreshMetrics(const std::string& runFile) {
    std::unique_ptr<RunFile> run = RunFile::open(runFile);
    const std::string json = toJson(runMetrics(run->info(), run->cases(), runFile)).dump();
    run->setMetricsJson(json);
    return json;
}

} // namespace spinelens::eval
