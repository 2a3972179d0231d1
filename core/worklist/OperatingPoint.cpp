#include "worklist/OperatingPoint.h"

#include "Error.h"
#include "ai/FlagScore.h"
#include "eval/RunFile.h"
#include "util/Sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace spinelens::worklist {
namespace {

struct Scored {
    double score;
    bool positive;
    int group;
};

struct Rates {
    double sensitivity = 0, specificity = 0;
};

Rates ratesAt(const std::vector<Scored>& cases, const std::vector<int>& take, double t) {
    int tp = 0, p = 0, tn = 0, n = 0;
    for (int i : take) {
        const Scored& c = cases[std::size_t(i)];
        if (c.positive) {
            ++p;
            tp += c.score >= t;
        } else {
            ++n;
            tn += c.score < t;
        }
    }
    return {p ? double(tp) / p : std::nan(""), n ? double(tn) / n : std::nan("")};
}

} // namespace

std::string OperatingTarget::text() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s %.6g",
                  kind == Kind::Sensitivity   ? "sensitivity >="
                  : kind == Kind::Specificity ? "specificity >="
                                              : "threshold =",
                  value);
    return buf;
}

std::string OperatingPoint::provenanceJson() const {
    nlohmann::json j{{"source", "evaluation run"},
                     {"runFile", runFile},
                     {"runSha256", runHash},
                     {"model", model},
                     {"modelVersion", modelVersion},
                     {"modelHash", modelHash},
                     {"target", target.text()},
                     {"threshold", threshold},
                     {"expectedSensitivity", sensitivity},
                     {"sensitivity95", {sensitivityCi.low, sensitivityCi.high}},
                     {"expectedSpecificity", specificity},
                     {"specificity95", {specificityCi.low, specificityCi.high}},
                     {"positives", positives},
                     {"negatives", negatives},
                     {"outOfDomainLeftOut", outOfDomain},
                     {"bootstrapResamples", resamples},
                     {"syntheticData", syntheticData}};
    return j.dump();
}

Threshold OperatingPoint::asThreshold(const std::string& user) const {
    Threshold t;
    t.model = model;
    t.value = threshold;
    t.provenance = provenanceJson();
    t.setBy = user;
    return t;
}

OperatingPoint chooseOperatingPoint(const std::string& runFile, const OperatingTarget& target,
                                    int resamples, std::uint64_t seed) {
    const auto run = eval::RunFile::open(runFile, false);
    const eval::RunInfo info = run->info();
    const int normal = ai::normalClassIndex(info.classes);
    if (normal < 0)
        throw Error("the run's model (" + info.modelName +
                        ") has no normal/healthy class: a flag needs one",
                    runFile);
    OperatingPoint op;
    op.runFile = runFile;
    Sha256 hash;
    hash.addFile(runFile);
    op.runHash = hash.hex();
    op.model = info.modelName;
    op.modelVersion = info.modelVersion;
    op.modelHash = info.modelHash;
    op.syntheticData = info.syntheticData;
    op.target = target;
    op.resamples = resamples;

    std::vector<Scored> cases;
    std::map<std::string, int> groups;
    for (const eval::CaseRecord& c : run->cases()) {
        if (c.domainChecked && !c.inDomain) {
            ++op.outOfDomain;
            continue;
        }
        const std::string key = !c.group.empty()      ? c.group
                                : !c.studyUid.empty() ? c.studyUid
                                                      : c.path;
        const int g = groups.emplace(key, int(groups.size())).first->second;
        cases.push_back({ai::flagScore(info.classes, c.probabilities), c.trueLabel != normal, g});
    }
    std::vector<double> pos, neg;
    for (const Scored& c : cases)
        (c.positive ? pos : neg).push_back(c.score);
    op.positives = int(pos.size());
    op.negatives = int(neg.size());
    if (pos.empty() || neg.empty())
        throw Error("the run has no " +
                        std::string(pos.empty() ? "positive (not normal)" : "negative (normal)") +
                        " case the model could assess: no operating point can be chosen",
                    runFile);
    switch (target.kind) {
    case OperatingTarget::Kind::Sensitivity: {
        if (target.value <= 0 || target.value > 1)
            throw Error("a sensitivity target is in (0, 1]", runFile);
        // The highest threshold that still flags that share of the positives.
        std::sort(pos.begin(), pos.end(), std::greater<>());
        const auto need = std::size_t(std::ceil(target.value * double(pos.size()) - 1e-9));
        op.threshold = pos[std::max<std::size_t>(need, 1) - 1];
        break;
    }
    case OperatingTarget::Kind::Specificity: {
        if (target.value < 0 || target.value > 1)
            throw Error("a specificity target is in [0, 1]", runFile);
        // The lowest threshold that leaves that share of the negatives unflagged (a case is
        // flagged at score >= threshold).
        std::sort(neg.begin(), neg.end());
        const auto need = std::size_t(std::ceil(target.value * double(neg.size()) - 1e-9));
        op.threshold = need == 0 ? 0.0 : std::nextafter(neg[need - 1], 2.0);
        break;
    }
    case OperatingTarget::Kind::Value:
        if (target.value < 0 || target.value > 1)
            throw Error("a threshold is in [0, 1]", runFile);
        op.threshold = target.value;
        break;
    }
    std::vector<int> all(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i)
        all[i] = int(i);
    const Rates r = ratesAt(cases, all, op.threshold);
    op.sensitivity = r.sensitivity;
    op.specificity = r.specificity;

    // Percentile bootstrap over groups (a patient's cases together), the metrics' stream.
    std::vector<std::vector<int>> members(groups.size());
    for (std::size_t i = 0; i < cases.size(); ++i)
        members[std::size_t(cases[i].group)].push_back(int(i));
    std::vector<double> sens, spec;
    std::uint64_t state = seed;
    for (int b = 0; b < resamples; ++b) {
        std::vector<int> take;
        for (std::size_t k = 0; k < members.size(); ++k) {
            const auto& m = members[std::size_t(eval::splitmix64(state) % members.size())];
            take.insert(take.end(), m.begin(), m.end());
        }
        const Rates rb = ratesAt(cases, take, op.threshold);
        if (!std::isnan(rb.sensitivity))
            sens.push_back(rb.sensitivity);
        if (!std::isnan(rb.specificity))
            spec.push_back(rb.specificity);
    }
    if (!sens.empty())
        op.sensitivityCi = {eval::percentile(sens, 2.5), eval::percentile(sens, 97.5)};
    if (!spec.empty())
        op.specificityCi = {eval::percentile(spec, 2.5), eval::percentile(spec, 97.5)};
    return op;
}

} // namespace spinelens::worklist
