#include "eval/MetricsJson.h"

#include <cmath>

namespace spinelens::eval {
namespace {

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json numbers(const std::vector<double>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (double x : v)
        a.push_back(number(x));
    return a;
}

nlohmann::json curve(const Curve& c, const char* x, const char* y) {
    return {{x, numbers(c.x)}, {y, numbers(c.y)}, {"thresholds", numbers(c.thresholds)}};
}

} // namespace

nlohmann::json toJson(const Metrics& m, bool withCurves) {
    nlohmann::json j;
    j["cases"] = m.cases;
    j["accuracy"] = number(m.accuracy);
    j["accuracyCi95"] = {number(m.accuracyCi.low), number(m.accuracyCi.high)};
    j["macro"] = {{"precision", number(m.macroPrecision)},
                  {"recall", number(m.macroRecall)},
                  {"f1", number(m.macroF1)},
                  {"auc", number(m.macroAuc)},
                  {"aucCi95", {number(m.macroAucCi.low), number(m.macroAucCi.high)}}};
    j["weighted"] = {{"precision", number(m.weightedPrecision)},
                     {"recall", number(m.weightedRecall)},
                     {"f1", number(m.weightedF1)}};
    j["bootstrap"] = {{"resamples", m.bootstrapResamples}, {"seed", m.bootstrapSeed}};
    nlohmann::json classes = nlohmann::json::array();
    for (const ClassMetrics& c : m.classes) {
        nlohmann::json cj = {{"name", c.name},
                             {"support", c.support},
                             {"precision", number(c.precision)},
                             {"recall", number(c.recall)},
                             {"f1", number(c.f1)},
                             {"sensitivity", number(c.sensitivity)},
                             {"specificity", number(c.specificity)},
                             {"auc", number(c.auc)},
                             {"averagePrecision", number(c.averagePrecision)}};
        if (withCurves) {
            cj["roc"] = curve(c.roc, "fpr", "tpr");
            cj["pr"] = curve(c.pr, "recall", "precision");
        }
        classes.push_back(cj);
    }
    j["classes"] = classes;
    if (m.normalClass >= 0)
        j["diseaseVsNormal"] = {{"normalClass", m.classes[std::size_t(m.normalClass)].name},
                                {"sensitivity", number(m.diseaseSensitivity)},
                                {"specificity", number(m.diseaseSpecificity)}};
    j["confusion"] = m.confusion;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : m.confusionRowPercent)
        rows.push_back(numbers(r));
    j["confusionRowPercent"] = rows;
    j["calibration"] = {{"ece", number(m.expectedCalibrationError)},
                        {"bins", int(m.calibrationCount.size())},
                        {"confidence", numbers(m.calibrationConfidence)},
                        {"accuracy", numbers(m.calibrationAccuracy)},
                        {"count", m.calibrationCount}};
    return j;
}

} // namespace spinelens::eval
