#include "eval/Metrics.h"

#include "Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace spinelens::eval {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(double a, double b) {
    return b > 0 ? a / b : 0.0; // sklearn's zero_division default: 0 (with a warning)
}

int argmax(const std::vector<double>& p) {
    return int(std::max_element(p.begin(), p.end()) - p.begin()); // first of equal maxima
}

// Indices sorted by descending score; ties keep no particular order (they are grouped).
std::vector<int> descendingOrder(const std::vector<double>& score) {
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return score[std::size_t(a)] > score[std::size_t(b)]; });
    return order;
}

// sklearn's _binary_clf_curve with sample weights: cumulative true and false positives at
// each distinct score, highest first.
struct Counts {
    std::vector<double> tps, fps, thresholds;
};

Counts binaryCounts(const std::vector<int>& order, const std::vector<int>& positive,
                    const std::vector<double>& score, const std::vector<double>* weights) {
    Counts c;
    double tp = 0, fp = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t i = std::size_t(order[k]);
        const double w = weights ? (*weights)[i] : 1.0;
        (positive[i] ? tp : fp) += w;
        const bool lastOfGroup =
            k + 1 == order.size() || score[std::size_t(order[k + 1])] != score[i];
        if (lastOfGroup) {
            c.tps.push_back(tp);
            c.fps.push_back(fp);
            c.thresholds.push_back(score[i]);
        }
    }
    return c;
}

// Area under the ROC curve from the counts (trapezoids from (0, 0)); NaN without positives
// or negatives.
double aucFromCounts(const Counts& c) {
    if (c.tps.empty() || c.tps.back() <= 0 || c.fps.back() <= 0)
        return kNaN;
    double area = 0, lastX = 0, lastY = 0;
    for (std::size_t k = 0; k < c.tps.size(); ++k) {
        const double x = c.fps[k] / c.fps.back(), y = c.tps[k] / c.tps.back();
        area += (x - lastX) * (y + lastY) / 2;
        lastX = x;
        lastY = y;
    }
    return area;
}

double averagePrecisionFromCurve(const Curve& pr) {
    // sklearn: sum over thresholds of (R_n - R_{n-1}) * P_n, from the highest threshold.
    double ap = 0;
    for (std::size_t k = 1; k < pr.x.size(); ++k)
        ap += (pr.x[k] - pr.x[k - 1]) * pr.y[k];
    return ap;
}

double meanOfDefined(const std::vector<double>& v) {
    double sum = 0;
    int n = 0;
    for (double x : v)
        if (!std::isnan(x)) {
            sum += x;
            ++n;
        }
    return n ? sum / n : kNaN;
}

} // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double percentile(std::vector<double> values, double percent) {
    if (values.empty())
        return kNaN;
    std::sort(values.begin(), values.end());
    const double rank = percent / 100.0 * double(values.size() - 1);
    const std::size_t lo = std::size_t(std::floor(rank));
    const std::size_t hi = std::min(values.size() - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (rank - double(lo));
}

Curve rocCurve(const std::vector<int>& positive, const std::vector<double>& score) {
    const Counts c = binaryCounts(descendingOrder(score), positive, score, nullptr);
    Curve r;
    r.x.push_back(0);
    r.y.push_back(0);
    r.thresholds.push_back(std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < c.tps.size(); ++k) {
        r.x.push_back(c.fps.back() > 0 ? c.fps[k] / c.fps.back() : kNaN);
        r.y.push_back(c.tps.back() > 0 ? c.tps[k] / c.tps.back() : kNaN);
        r.thresholds.push_back(c.thresholds[k]);
    }
    return r;
}

Curve precisionRecallCurve(const std::vector<int>& positive, const std::vector<double>& score) {
    const Counts c = binaryCounts(descendingOrder(score), positive, score, nullptr);
    Curve r; // recall ascending: sklearn's arrays read from the end
    r.x.push_back(0);
    r.y.push_back(1);
    r.thresholds.push_back(std::numeric_limits<double>::infinity());
    for (std::size_t k = 0; k < c.tps.size(); ++k) {
        const double predicted = c.tps[k] + c.fps[k];
        r.x.push_back(c.tps.back() > 0 ? c.tps[k] / c.tps.back() : 1.0);
        r.y.push_back(predicted > 0 ? c.tps[k] / predicted : 0.0);
        r.thresholds.push_back(c.thresholds[k]);
    }
    return r;
}

std::string bootstrapDescription(const Metrics& m) {
    return "bootstrap over " + std::to_string(m.bootstrapUnits) +
           (m.bootstrapByGroup ? " patients/studies (their cases resampled together)" : " cases") +
           ", " + std::to_string(m.bootstrapResamples) + " resamples";
}

namespace {

void checkInputs(const std::vector<int>& labels,
                 const std::vector<std::vector<double>>& probabilities, std::size_t k) {
    const std::size_t n = labels.size();
    if (probabilities.size() != n)
        throw Error("metrics: " + std::to_string(n) + " labels but " +
                    std::to_string(probabilities.size()) + " probability rows");
    if (k < 2)
        throw Error("metrics need at least two classes");
    for (std::size_t i = 0; i < n; ++i) {
        if (labels[i] < 0 || std::size_t(labels[i]) >= k)
            throw Error("metrics: case " + std::to_string(i) + " has label " +
                        std::to_string(labels[i]) + ", outside the model's classes");
        if (probabilities[i].size() != k)
            throw Error("metrics: case " + std::to_string(i) + " has " +
                        std::to_string(probabilities[i].size()) + " probabilities for " +
                        std::to_string(k) + " classes");
    }
}

void addConfusion(Metrics& m, const std::vector<int>& labels, const std::vector<int>& predicted,
                  std::size_t k) {
    const std::size_t n = labels.size();
    m.confusion.assign(k, std::vector<int>(k, 0));
    int correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ++m.confusion[std::size_t(labels[i])][std::size_t(predicted[i])];
        correct += labels[i] == predicted[i];
    }
    m.accuracy = ratio(correct, double(n));
    m.confusionRowPercent.assign(k, std::vector<double>(k, 0.0));
    for (std::size_t t = 0; t < k; ++t) {
        const int row = std::accumulate(m.confusion[t].begin(), m.confusion[t].end(), 0);
        for (std::size_t p = 0; p < k; ++p)
            m.confusionRowPercent[t][p] = row ? 100.0 * m.confusion[t][p] / row : 0.0;
    }
}

// Each class against the rest: its labels and scores, sorted once and reused by the bootstrap.
struct OneVsRest {
    std::vector<std::vector<int>> positives;
    std::vector<std::vector<double>> scores;
    std::vector<std::vector<int>> orders;
};

OneVsRest addPerClass(Metrics& m, const std::vector<int>& labels,
                      const std::vector<std::vector<double>>& probabilities,
                      const std::vector<int>& predicted,
                      const std::vector<std::string>& classNames) {
    const std::size_t n = labels.size(), k = classNames.size();
    OneVsRest ovr{std::vector<std::vector<int>>(k, std::vector<int>(n)),
                  std::vector<std::vector<double>>(k, std::vector<double>(n)),
                  std::vector<std::vector<int>>(k)};
    std::vector<double> aucs;
    for (std::size_t c = 0; c < k; ++c) {
        ClassMetrics cm;
        cm.name = classNames[c];
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const bool isTrue = std::size_t(labels[i]) == c,
                       isPred = std::size_t(predicted[i]) == c;
            tp += isTrue && isPred;
            fp += !isTrue && isPred;
            fn += isTrue && !isPred;
            tn += !isTrue && !isPred;
            ovr.positives[c][i] = isTrue;
            ovr.scores[c][i] = probabilities[i][c];
        }
        cm.support = tp + fn;
        cm.precision = ratio(tp, tp + fp);
        cm.recall = cm.sensitivity = ratio(tp, tp + fn);
        cm.specificity = ratio(tn, tn + fp);
        cm.f1 = ratio(2.0 * tp, 2.0 * tp + fp + fn);
        ovr.orders[c] = descendingOrder(ovr.scores[c]);
        cm.auc =
            aucFromCounts(binaryCounts(ovr.orders[c], ovr.positives[c], ovr.scores[c], nullptr));
        cm.roc = rocCurve(ovr.positives[c], ovr.scores[c]);
        cm.pr = precisionRecallCurve(ovr.positives[c], ovr.scores[c]);
        cm.averagePrecision = cm.support > 0 ? averagePrecisionFromCurve(cm.pr) : kNaN;
        aucs.push_back(cm.auc);
        m.classes.push_back(std::move(cm));
    }
    for (const ClassMetrics& c : m.classes) {
        m.macroPrecision += c.precision / double(k);
        m.macroRecall += c.recall / double(k);
        m.macroF1 += c.f1 / double(k);
        const double w = n ? double(c.support) / double(n) : 0.0;
        m.weightedPrecision += c.precision * w;
        m.weightedRecall += c.recall * w;
        m.weightedF1 += c.f1 * w;
    }
    m.macroAuc = meanOfDefined(aucs);
    return ovr;
}

// Sensitivity and specificity of "not normal" when a class is called normal or healthy.
void addDiseaseVsNormal(Metrics& m, const std::vector<int>& labels,
                        const std::vector<int>& predicted,
                        const std::vector<std::string>& classNames) {
    for (std::size_t c = 0; c < classNames.size(); ++c) {
        std::string lower = classNames[c];
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return char(std::tolower(ch)); });
        if (lower == "normal" || lower == "healthy")
            m.normalClass = int(c);
    }
    m.diseaseSensitivity = m.diseaseSpecificity = kNaN;
    if (m.normalClass < 0)
        return;
    int tp = 0, fn = 0, tn = 0, fp = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool disease = labels[i] != m.normalClass, flagged = predicted[i] != m.normalClass;
        tp += disease && flagged;
        fn += disease && !flagged;
        tn += !disease && !flagged;
        fp += !disease && flagged;
    }
    m.diseaseSensitivity = tp + fn ? double(tp) / (tp + fn) : kNaN;
    m.diseaseSpecificity = tn + fp ? double(tn) / (tn + fp) : kNaN;
}

// Calibration: top-class confidence in equal-width bins (lower, upper].
void addCalibration(Metrics& m, const std::vector<int>& labels,
                    const std::vector<std::vector<double>>& probabilities,
                    const std::vector<int>& predicted, int calibrationBins) {
    const std::size_t n = labels.size();
    const int bins = std::max(1, calibrationBins);
    m.calibrationConfidence.assign(std::size_t(bins), 0.0);
    m.calibrationAccuracy.assign(std::size_t(bins), 0.0);
    m.calibrationCount.assign(std::size_t(bins), 0);
    for (std::size_t i = 0; i < n; ++i) {
        const double conf = probabilities[i][std::size_t(predicted[i])];
        for (int b = 0; b < bins; ++b)
            if (conf > double(b) / bins && conf <= double(b + 1) / bins) {
                m.calibrationConfidence[std::size_t(b)] += conf;
                m.calibrationAccuracy[std::size_t(b)] += labels[i] == predicted[i];
                ++m.calibrationCount[std::size_t(b)];
                break;
            }
    }
    for (int b = 0; b < bins; ++b) {
        const int count = m.calibrationCount[std::size_t(b)];
        if (!count)
            continue;
        m.calibrationConfidence[std::size_t(b)] /= count;
        m.calibrationAccuracy[std::size_t(b)] /= count;
        m.expectedCalibrationError += std::abs(m.calibrationAccuracy[std::size_t(b)] -
                                               m.calibrationConfidence[std::size_t(b)]) *
                                      count / double(n);
    }
}

// The bootstrap's units: each group (patient/study) with its cases, in first-appearance order;
// a case without a group is a unit of its own.
std::vector<std::vector<std::size_t>> bootstrapUnits(std::size_t n,
                                                     const std::vector<std::string>& groups) {
    std::vector<std::vector<std::size_t>> members;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string* g = i < groups.size() && !groups[i].empty() ? &groups[i] : nullptr;
        if (!g) {
            members.push_back({i});
            continue;
        }
        const auto [it, added] = index.emplace(*g, members.size());
        if (added)
            members.emplace_back();
        members[it->second].push_back(i);
    }
    return members;
}

// Bootstrap: resample units with replacement; each resample is a weight per case, so the
// per-class sorted orders are reused (O(N) per class per resample).
void addBootstrap(Metrics& m, const std::vector<int>& labels, const std::vector<int>& predicted,
                  const OneVsRest& ovr, const MetricsOptions& o) {
    const std::size_t n = labels.size(), k = ovr.orders.size();
    m.bootstrapResamples = o.bootstrapResamples;
    m.bootstrapSeed = o.bootstrapSeed;
    const std::vector<std::vector<std::size_t>> members = bootstrapUnits(n, o.groups);
    m.bootstrapUnits = int(members.size());
    m.bootstrapByGroup = members.size() < n;
    if (n == 0 || o.bootstrapResamples <= 0)
        return;
    std::vector<double> accuracies, macroAucs, weights(n);
    std::uint64_t state = o.bootstrapSeed;
    const std::size_t groups = members.size();
    for (int r = 0; r < o.bootstrapResamples; ++r) {
        std::fill(weights.begin(), weights.end(), 0.0);
        for (std::size_t j = 0; j < groups; ++j)
            for (std::size_t i : members[std::size_t(splitmix64(state) % groups)])
                weights[i] += 1.0;
        double right = 0, total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            right += weights[i] * (labels[i] == predicted[i]);
            total += weights[i];
        }
        accuracies.push_back(right / total);
        std::vector<double> resampledAucs;
        for (std::size_t c = 0; c < k; ++c)
            resampledAucs.push_back(aucFromCounts(
                binaryCounts(ovr.orders[c], ovr.positives[c], ovr.scores[c], &weights)));
        const double macro = meanOfDefined(resampledAucs);
        if (!std::isnan(macro))
            macroAucs.push_back(macro);
    }
    m.accuracyCi = {percentile(accuracies, 2.5), percentile(accuracies, 97.5)};
    m.macroAucCi = {percentile(macroAucs, 2.5), percentile(macroAucs, 97.5)};
}

} // namespace

Metrics computeMetrics(const std::vector<int>& labels,
                       const std::vector<std::vector<double>>& probabilities,
                       const std::vector<std::string>& classNames, const MetricsOptions& o) {
    checkInputs(labels, probabilities, classNames.size());
    Metrics m;
    m.cases = int(labels.size());
    std::vector<int> predicted(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i)
        predicted[i] = argmax(probabilities[i]);
    addConfusion(m, labels, predicted, classNames.size());
    const OneVsRest ovr = addPerClass(m, labels, probabilities, predicted, classNames);
    addDiseaseVsNormal(m, labels, predicted, classNames);
    addCalibration(m, labels, probabilities, predicted, o.calibrationBins);
    addBootstrap(m, labels, predicted, ovr, o);
    // Without a domain check every case counts as assessable; a run fills in its own figures.
    m.domain.cases = m.domain.inDomain = m.cases;
    m.domain.coverage = 1.0;
    m.domain.accuracyInDomain = m.accuracy;
    return m;
}

} // namespace spinelens::eval
