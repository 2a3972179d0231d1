#include "eval/MetricsJson.h"

#include "Error.h"

#include <cmath>
#include <limits>

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

double readNumber(const nlohmann::json& v) {
    return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

std::vector<double> readNumbers(const nlohmann::json& a) {
    std::vector<double> out;
    out.reserve(a.size());
    for (const auto& v : a)
        out.push_back(readNumber(v));
    return out;
}

Curve readCurve(const nlohmann::json& c, const char* x, const char* y) {
    Curve out;
    out.x = readNumbers(c.at(x));
    out.y = readNumbers(c.at(y));
    out.thresholds = readNumbers(c.at("thresholds"));
    return out;
}

} // namespace

Metrics metricsFromJson(const nlohmann::json& j, const std::string& source) {
    try {
        Metrics m;
        m.cases = j.at("cases").get<int>();
        m.accuracy = readNumber(j.at("accuracy"));
        m.accuracyCi = {readNumber(j.at("accuracyCi95").at(0)),
                        readNumber(j.at("accuracyCi95").at(1))};
        const auto& macro = j.at("macro");
        m.macroPrecision = readNumber(macro.at("precision"));
        m.macroRecall = readNumber(macro.at("recall"));
        m.macroF1 = readNumber(macro.at("f1"));
        m.macroAuc = readNumber(macro.at("auc"));
        m.macroAucCi = {readNumber(macro.at("aucCi95").at(0)),
                        readNumber(macro.at("aucCi95").at(1))};
        const auto& weighted = j.at("weighted");
        m.weightedPrecision = readNumber(weighted.at("precision"));
        m.weightedRecall = readNumber(weighted.at("recall"));
        m.weightedF1 = readNumber(weighted.at("f1"));
        m.bootstrapResamples = j.at("bootstrap").at("resamples").get<int>();
        m.bootstrapSeed = j.at("bootstrap").at("seed").get<std::uint64_t>();
        m.bootstrapByGroup = j.at("bootstrap").value("unit", "case") == "patient/study";
        m.bootstrapUnits = j.at("bootstrap").value("units", m.cases);
        for (const auto& cj : j.at("classes")) {
            ClassMetrics c;
            c.name = cj.at("name").get<std::string>();
            c.support = cj.at("support").get<int>();
            c.precision = readNumber(cj.at("precision"));
            c.recall = readNumber(cj.at("recall"));
            c.f1 = readNumber(cj.at("f1"));
            c.sensitivity = readNumber(cj.at("sensitivity"));
            c.specificity = readNumber(cj.at("specificity"));
            c.auc = readNumber(cj.at("auc"));
            c.averagePrecision = readNumber(cj.at("averagePrecision"));
            if (cj.contains("roc"))
                c.roc = readCurve(cj.at("roc"), "fpr", "tpr");
            if (cj.contains("pr"))
                c.pr = readCurve(cj.at("pr"), "recall", "precision");
            m.classes.push_back(std::move(c));
        }
        if (j.contains("diseaseVsNormal")) {
            const auto& d = j.at("diseaseVsNormal");
            const std::string normal = d.at("normalClass").get<std::string>();
            for (std::size_t k = 0; k < m.classes.size(); ++k)
                if (m.classes[k].name == normal)
                    m.normalClass = int(k);
            m.diseaseSensitivity = readNumber(d.at("sensitivity"));
            m.diseaseSpecificity = readNumber(d.at("specificity"));
        } else {
            m.diseaseSensitivity = m.diseaseSpecificity = std::numeric_limits<double>::quiet_NaN();
        }
        m.confusion = j.at("confusion").get<std::vector<std::vector<int>>>();
        for (const auto& row : j.at("confusionRowPercent"))
            m.confusionRowPercent.push_back(readNumbers(row));
        const auto& cal = j.at("calibration");
        m.expectedCalibrationError = readNumber(cal.at("ece"));
        m.calibrationConfidence = readNumbers(cal.at("confidence"));
        m.calibrationAccuracy = readNumbers(cal.at("accuracy"));
        m.calibrationCount = cal.at("count").get<std::vector<int>>();
        if (j.contains("domain")) { // absent from runs made before the domain check
            const auto& d = j.at("domain");
            m.domain.checked = d.at("checked").get<bool>();
            m.domain.threshold = readNumber(d.at("threshold"));
            m.domain.cases = d.at("cases").get<int>();
            m.domain.inDomain = d.at("inDomain").get<int>();
            m.domain.coverage = readNumber(d.at("coverage"));
            m.domain.accuracyInDomain = readNumber(d.at("accuracyInDomain"));
        } else {
            m.domain.cases = m.domain.inDomain = m.cases;
            m.domain.coverage = 1.0;
            m.domain.accuracyInDomain = m.accuracy;
        }
        const std::size_t k = m.classes.size();
        if (m.confusion.size() != k || m.confusionRowPercent.size() != k)
            throw Error("stored metrics: the confusion matrix does not match the classes", source);
        for (const auto& row : m.confusion)
            if (row.size() != k)
                throw Error("stored metrics: the confusion matrix is not square", source);
        return m;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("stored metrics cannot be read (") + e.what() + ")", source);
    }
}

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
    j["bootstrap"] = {{"resamples", m.bootstrapResamples},
                      {"seed", m.bootstrapSeed},
                      {"unit", m.bootstrapByGroup ? "patient/study" : "case"},
                      {"units", m.bootstrapUnits}};
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
    j["domain"] = {{"checked", m.domain.checked},
                   {"threshold", number(m.domain.threshold)},
                   {"cases", m.domain.cases},
                   {"inDomain", m.domain.inDomain},
                   {"coverage", number(m.domain.coverage)},
                   {"accuracyInDomain", number(m.domain.accuracyInDomain)}};
    return j;
}

} // namespace spinelens::eval
