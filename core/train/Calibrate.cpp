#include "train/Calibrate.h"

#include "Error.h"
#include "ai/Classifier.h"
#include "ai/ModelPackage.h"
#include "ai/trust/Calibration.h"
#include "study/CaseImage.h"
#include "util/Hash.h"
#include "util/Parallel.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace spinelens::train {
namespace {

constexpr int kBatch = 32;
// At least 95 % of new in-domain images pass, promised with 99 % confidence.
constexpr double kPassRate = 0.95;
constexpr double kConfidence = 0.99;
constexpr const char* kReportHeading = "## Calibration and domain check";

// Pooled features (when the module has the contract) and logits of one split's images.
struct SplitOutputs {
    std::vector<float> features; ///< n * dims
    int dims = 0;
    ai::LabelledLogits logits;
    std::vector<std::string> groups; ///< patient or study of each image
    std::vector<double> aspects;     ///< width / height of each image in pixels
};

SplitOutputs runSplit(const ai::ModelPackage& package, const data::Dataset& d,
                      const std::vector<int>& indices, const std::string& stage,
                      std::vector<FileFailure>& skipped,
                      const std::function<void(const CalibrationProgress&)>& progress) {
    const ai::ModelCard& card = package.card();
    const bool pooled = package.supportsGradCam();
    SplitOutputs out;
    for (std::size_t first = 0; first < indices.size(); first += kBatch) {
        const std::size_t n = std::min<std::size_t>(kBatch, indices.size() - first);
        std::vector<std::vector<float>> inputs(n);
        std::vector<std::string> errors(n);
        std::vector<double> aspects(n, 0.0);
        parallelFor(n, [&](std::size_t k) {
            const data::Sample& s = d.samples[std::size_t(indices[first + k])];
            try {
                const CaseImage im = loadCaseImage(s.path);
                inputs[k] =
                    package.preprocessor()(im.pixels.data(), im.width, im.height, &im.display);
                aspects[k] = double(im.width) / im.height;
            } catch (const std::exception& e) {
                errors[k] = e.what();
            }
        });
        std::vector<float> batch;
        std::vector<int> labels;
        for (std::size_t k = 0; k < n; ++k) {
            const data::Sample& s = d.samples[std::size_t(indices[first + k])];
            if (!errors[k].empty()) {
                skipped.push_back({s.path, errors[k]});
                continue;
            }
            batch.insert(batch.end(), inputs[k].begin(), inputs[k].end());
            labels.push_back(s.label);
            out.groups.push_back(s.group.empty() ? s.path : s.group);
            out.aspects.push_back(aspects[k]);
        }
        const int m = int(labels.size());
        if (m > 0) {
            std::vector<float> logits;
            int outputs = 0;
            if (pooled) {
                const auto p = package.model().pooledFeaturesAndLogits(
                    batch.data(), m, card.channels, card.height, card.width);
                out.dims = p.dims;
                out.features.insert(out.features.end(), p.features.begin(), p.features.end());
                logits = p.logits;
                outputs = p.outputs;
            } else {
                logits = package.model().forward(batch.data(), m, card.channels, card.height,
                                                 card.width, &outputs);
            }
            for (int k = 0; k < m; ++k) {
                out.logits.logits.emplace_back(logits.begin() + std::ptrdiff_t(k) * outputs,
                                               logits.begin() + std::ptrdiff_t(k + 1) * outputs);
                out.logits.labels.push_back(labels[std::size_t(k)]);
            }
        }
        if (progress)
            progress({stage, int(first + n), int(indices.size())});
    }
    return out;
}

std::vector<std::vector<double>> probabilitiesAt(const ai::LabelledLogits& l, double t) {
    std::vector<std::vector<double>> p;
    for (const auto& z : l.logits)
        p.push_back(ai::probabilitiesAt(z, t));
    return p;
}

double accuracy(const ai::LabelledLogits& l) {
    int correct = 0;
    for (std::size_t i = 0; i < l.labels.size(); ++i) {
        const auto p = ai::probabilitiesAt(l.logits[i], 1.0);
        correct += int(std::max_element(p.begin(), p.end()) - p.begin()) == l.labels[i];
    }
    return l.labels.empty() ? 0.0 : double(correct) / double(l.labels.size());
}

double passRate(const ai::DomainModel& m, const SplitOutputs& s) {
    const int n = int(s.logits.labels.size());
    int pass = 0;
    for (int i = 0; i < n; ++i)
        pass += m.check(s.features.data() + std::size_t(i) * s.dims, s.aspects[std::size_t(i)])
                    .inDomain;
    return n ? double(pass) / n : 0.0;
}

// Distinct patients/studies among a split's images.
int distinctGroups(std::vector<std::string> groups) {
    std::sort(groups.begin(), groups.end());
    return int(std::unique(groups.begin(), groups.end()) - groups.begin());
}

// Replaces the report's calibration section (everything from its heading on) with `section`.
void writeReportSection(const fs::path& readme, const std::string& section) {
    std::string text;
    {
        std::ifstream in(readme);
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
    }
    const auto at = text.find(kReportHeading);
    if (at != std::string::npos)
        text.erase(at);
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (!text.empty())
        text += "\n\n";
    std::ofstream out(readme, std::ios::trunc);
    out << text << section;
    if (!out)
        throw Error("cannot write the training report", readme.string());
}

std::string fixed(double v, int digits) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

} // namespace

std::string splitHash(const data::Dataset& d, const Split& split) {
    std::vector<std::string> lines;
    const auto add = [&](const char* name, const std::vector<int>& indices) {
        for (int i : indices)
            lines.push_back(std::string(name) + '\t' +
                            fs::path(d.samples[std::size_t(i)].path)
                                .lexically_relative(d.root)
                                .generic_string());
    };
    add("train", split.train);
    add("val", split.val);
    add("test", split.test);
    std::sort(lines.begin(), lines.end());
    Fnv1a h;
    for (const auto& l : lines)
        h.add(l + '\n');
    return h.hex();
}

void limitSamples(data::Dataset& d, std::uint64_t seed, int maxSamples) {
    if (maxSamples > 0 && int(d.samples.size()) > maxSamples) {
        std::mt19937_64 rng(seed);
        std::shuffle(d.samples.begin(), d.samples.end(), rng);
        d.samples.resize(std::size_t(maxSamples));
    }
}

void mapLabelsToModel(data::Dataset& d, const std::vector<std::string>& modelClasses) {
    std::vector<int> map;
    for (const auto& c : d.classes) {
        int found = -1;
        for (std::size_t k = 0; k < modelClasses.size(); ++k)
            if (data::normaliseClassName(modelClasses[k]) == data::normaliseClassName(c))
                found = int(k);
        if (found < 0)
            throw Error("the data set's class \"" + c + "\" is not one of the model's classes",
                        d.root);
        map.push_back(found);
    }
    for (auto& s : d.samples)
        s.label = map[std::size_t(s.label)];
    d.classes = modelClasses;
}

namespace {

// Temperature on the validation split, and the test split's calibration before and after.
void fitTemperatureStep(CalibrationResult& r, const ai::ModelPackage& package,
                        const SplitOutputs& val, const SplitOutputs& test) {
    const ai::TemperatureFit fit = ai::fitTemperature(val.logits);
    r.validationNllBefore = fit.nllBefore;
    // One temperature calibrates a softmax or a single sigmoid output; independent multi-label
    // sigmoid outputs would each need their own.
    const bool multiLabel =
        package.card().activation == "sigmoid" && package.card().expectedOutputs() > 1;
    r.temperatureFitted = !fit.atBound && !multiLabel;
    r.temperature = r.temperatureFitted ? fit.temperature : 1.0;
    r.validationNllAfter = r.temperatureFitted ? fit.nllAfter : fit.nllBefore;
    if (multiLabel)
        r.temperatureNote = "a multi-label sigmoid model is not calibrated by one temperature";
    else if (!r.temperatureFitted)
        r.temperatureNote = "the validation split's negative log-likelihood keeps falling towards "
                            "T = " +
                            fixed(fit.temperature, 2) +
                            " (as when the model separates every validation image), so it has "
                            "no minimum inside [" +
                            fixed(ai::kMinTemperature, 2) + ", " + fixed(ai::kMaxTemperature, 0) +
                            "]: the temperature cannot be fitted on this split and none is "
                            "applied";
    r.testAccuracy = accuracy(test.logits);
    r.testEceBefore =
        ai::expectedCalibrationError(probabilitiesAt(test.logits, 1.0), test.logits.labels);
    r.testEceAfter = ai::expectedCalibrationError(probabilitiesAt(test.logits, r.temperature),
                                                  test.logits.labels);
}

// The domain model: fitted on the training split's features, its threshold set on the
// validation split's scores; none when the module has no features() or too few images.
std::optional<ai::DomainModel> fitDomainStep(CalibrationResult& r, const ai::ModelPackage& package,
                                             const SplitOutputs& train, const SplitOutputs& val,
                                             const SplitOutputs& test) {
    std::optional<ai::DomainModel> domain;
    if (package.supportsGradCam() && r.trainImages >= 2) {
        const int classes = int(package.card().classes.size());
        try {
            domain = ai::DomainModel::fit(train.features, train.dims, train.logits.labels, classes);
        } catch (const Error& e) {
            r.domainNote = e.reason();
        }
    } else {
        r.domainNote = package.supportsGradCam() ? "too few training images"
                                                 : "the module does not export features()";
    }
    if (!domain)
        return domain;
    // Only validation images are new to the network as well as to the domain model: the
    // training images' features were shaped by training, so their scores run low.
    std::vector<double> scores;
    for (int i = 0; i < r.valImages; ++i)
        scores.push_back(domain->score(val.features.data() + std::size_t(i) * val.dims));
    r.thresholdGroups = distinctGroups(val.groups);
    domain->setThreshold(scores, r.thresholdGroups, kPassRate, kConfidence);
    if (!train.aspects.empty()) {
        const auto [lo, hi] = std::minmax_element(train.aspects.begin(), train.aspects.end());
        domain->setAspectRange(*lo, *hi);
    }
    r.hasDomainModel = true;
    r.domainThreshold = domain->threshold();
    r.thresholdNote = domain->thresholdNote();
    r.validationPassRate = passRate(*domain, val);
    r.testPassRate = passRate(*domain, test);
    domain->facts()["fittedOn"] = {{"train", r.trainImages}, {"val", r.valImages}};
    domain->facts()["validationPassRate"] = r.validationPassRate;
    domain->facts()["testPassRate"] = r.testPassRate;
    domain->facts()["testImages"] = r.testImages;
    return domain;
}

// model.json: calibration and the split's fingerprint, written beside and renamed.
void writeCalibratedCard(const fs::path& dir, const CalibrationResult& r) {
    const fs::path cardPath = dir / "model.json";
    nlohmann::json card;
    {
        std::ifstream in(cardPath);
        in >> card;
    }
    card["calibration"] = {
        {"method", "temperature scaling (Guo et al. 2017), NLL on the validation split"},
        {"temperature", r.temperature},
        {"fitted", r.temperatureFitted},
        {"note", r.temperatureNote},
        {"validationImages", r.valImages},
        {"validationNll", {{"before", r.validationNllBefore}, {"after", r.validationNllAfter}}},
        {"testEce", {{"before", r.testEceBefore}, {"after", r.testEceAfter}, {"bins", 15}}},
        {"domainModel", r.hasDomainModel ? "domain.json" : "none (" + r.domainNote + ")"}};
    if (!card.contains("provenance") || !card["provenance"].is_object())
        card["provenance"] = nlohmann::json::object();
    card["provenance"]["split"] = {{"seed", card["provenance"].value("splitSeed", 1)},
                                   {"train", r.trainImages},
                                   {"val", r.valImages},
                                   {"test", r.testImages},
                                   {"hash", r.splitHash}};
    const fs::path tmp = dir / "model.json.partial";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << card.dump(2) << '\n';
        if (!out)
            throw Error("cannot write the model card", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, cardPath, ec);
    if (ec)
        throw Error("cannot replace the model card (" + ec.message() + ")", cardPath.string());
}

// The report's calibration section.
std::string calibrationReport(const CalibrationResult& r) {
    std::ostringstream s;
    s << kReportHeading << "\n\n";
    if (r.temperatureFitted)
        s << "Temperature scaling (Guo et al. 2017), fitted on the " << r.valImages
          << " validation images by minimising the negative log-likelihood: T = "
          << fixed(r.temperature, 4) << " (validation NLL " << fixed(r.validationNllBefore, 4)
          << " -> " << fixed(r.validationNllAfter, 4) << ").\n\n";
    else
        s << "Temperature scaling (Guo et al. 2017) on the " << r.valImages
          << " validation images: not applied; " << r.temperatureNote << ".\n\n";
    s << "Test expected calibration error (15 bins, " << r.testImages << " images): "
      << (r.temperatureFitted
              ? fixed(r.testEceBefore, 4) + " before, " + fixed(r.testEceAfter, 4) + " after"
              : fixed(r.testEceBefore, 4) + ", uncalibrated")
      << ". Test accuracy " << fixed(r.testAccuracy, 4)
      << " (temperature does not change which class wins).\n\n";
    if (r.hasDomainModel)
        s << "Domain check: Mahalanobis distance of the pooled features() activations to the "
             "class means with one shared, Ledoit-Wolf-shrunk covariance (Lee et al. 2018), "
             "fitted on the "
          << r.trainImages << " training images. Threshold " << fixed(r.domainThreshold, 2)
          << ", set on the " << r.valImages << " validation images from " << r.thresholdGroups
          << " patients/studies so that at least 95 % of new in-domain images pass, with 99 % "
             "confidence"
          << (r.thresholdNote.empty() ? "" : " (" + r.thresholdNote + ")")
          << ". In domain: " << fixed(100 * r.validationPassRate, 1) << " % of validation and "
          << fixed(100 * r.testPassRate, 1) << " % of test images.\n\n";
    else
        s << "No domain check: " << r.domainNote << ".\n\n";
    s << "Split fingerprint (FNV-1a of the sorted split/path lines): " << r.splitHash << ".\n";
    return s.str();
}

} // namespace

CalibrationResult
calibrateWithSplit(const std::string& folder, const data::Dataset& d, const Split& split,
                   const std::function<void(const CalibrationProgress&)>& progress,
                   double expectedTestAccuracy) {
    ai::setTorchThreads(0);
    const auto package = ai::ModelPackage::load(folder);
    CalibrationResult r;
    const SplitOutputs train = runSplit(*package, d, split.train, "train", r.skipped, progress);
    const SplitOutputs val = runSplit(*package, d, split.val, "val", r.skipped, progress);
    const SplitOutputs test = runSplit(*package, d, split.test, "test", r.skipped, progress);
    r.trainImages = int(train.logits.labels.size());
    r.valImages = int(val.logits.labels.size());
    r.testImages = int(test.logits.labels.size());
    if (r.valImages == 0)
        throw Error("the validation split has no readable image; calibration needs one", d.root);
    r.splitHash = splitHash(d, split);

    fitTemperatureStep(r, *package, val, test);
    if (expectedTestAccuracy >= 0 && std::abs(r.testAccuracy - expectedTestAccuracy) > 1e-6)
        throw Error("gives a test accuracy of " + fixed(r.testAccuracy, 4) +
                        " where the package records " + fixed(expectedTestAccuracy, 4) +
                        ": this is not the data set and split it was trained on",
                    d.root);
    // Everything is fitted before anything is written: a failure leaves the package as it was.
    const std::optional<ai::DomainModel> domain = fitDomainStep(r, *package, train, val, test);

    const fs::path dir(folder);
    std::error_code ec;
    for (const char* f : {"domain.json", "domain-means.npy", "domain-precision.npy"})
        fs::remove(dir / f, ec);
    if (domain)
        domain->save(folder);
    writeCalibratedCard(dir, r);
    fs::create_directories(dir / "report", ec);
    writeReportSection(dir / "report" / "README.md", calibrationReport(r));
    return r;
}

CalibrationResult calibratePackage(const CalibrateOptions& o) {
    const ai::ModelCard card =
        ai::ModelCard::fromFile((fs::path(o.package) / "model.json").string());
    const std::uint64_t seed = card.provenance.value("splitSeed", std::uint64_t(1));
    const int maxSamples = card.provenance.value("maxSamples", 0);
    data::Dataset d = data::openDataset(o.dataset, card.classes);
    mapLabelsToModel(d, card.classes);
    limitSamples(d, seed, maxSamples);
    if (d.samples.empty())
        throw Error("the data set has no usable samples", o.dataset);
    const Split split = splitDataset(d, seed);
    // The split must be the one the package was trained on: by its fingerprint when the card
    // records one, else by the test accuracy the card records (checked once it is measured).
    const nlohmann::json& p = card.provenance;
    const std::string recorded = p.contains("split") && p["split"].is_object()
                                     ? p["split"].value("hash", std::string())
                                     : std::string();
    double expectedAccuracy = -1;
    if (!recorded.empty()) {
        if (recorded != splitHash(d, split))
            throw Error("does not give the split this package was trained on (fingerprint " +
                            splitHash(d, split) + ", package records " + recorded +
                            "): calibrate with the training data set",
                        o.dataset);
    } else if (p.contains("metrics") && p["metrics"].is_object() &&
               p["metrics"].contains("testAccuracy")) {
        expectedAccuracy = p["metrics"].value("testAccuracy", -1.0);
    } else {
        throw Error("records neither its split's fingerprint nor its test accuracy, so the split "
                    "it was trained on cannot be checked; calibration would risk fitting on "
                    "training images",
                    o.package);
    }
    CalibrationResult r = calibrateWithSplit(o.package, d, split, o.progress, expectedAccuracy);
    r.skipped.insert(r.skipped.begin(), d.problems.begin(), d.problems.end());
    return r;
}

} // namespace spinelens::train
