#include "eval/Charts.h"

#include <cmath>
#include <cstdio>

namespace spinelens::eval {
namespace {

std::vector<std::pair<double, double>> finitePoints(const Curve& c) {
    std::vector<std::pair<double, double>> out;
    out.reserve(c.x.size());
    for (std::size_t i = 0; i < c.x.size() && i < c.y.size(); ++i)
        if (std::isfinite(c.x[i]) && std::isfinite(c.y[i]))
            out.emplace_back(c.x[i], c.y[i]);
    return out;
}

ChartSeries diagonal(const std::string& name) {
    return {name, {{0.0, 0.0}, {1.0, 1.0}}, true, false};
}

} // namespace

std::string chartFigure(double value) {
    if (!std::isfinite(value))
        return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", value);
    return text;
}

MetricCharts metricCharts(const Metrics& m) {
    MetricCharts out;
    out.roc = {"ROC, one vs rest (macro AUC " + chartFigure(m.macroAuc) + ")",
               "False positive rate",
               "True positive rate",
               {}};
    out.precisionRecall = {"Precision–recall, one vs rest", "Recall", "Precision", {}};
    for (const ClassMetrics& c : m.classes) {
        if (std::isfinite(c.auc))
            out.roc.series.push_back(
                {c.name + " (AUC " + chartFigure(c.auc) + ")", finitePoints(c.roc), false, false});
        if (std::isfinite(c.averagePrecision))
            out.precisionRecall.series.push_back(
                {c.name + " (AP " + chartFigure(c.averagePrecision) + ")", finitePoints(c.pr),
                 false, false});
    }
    out.roc.series.push_back(diagonal("chance"));

    out.calibration = {"Reliability (ECE " + chartFigure(m.expectedCalibrationError) + ")",
                       "Mean confidence in bin",
                       "Accuracy in bin",
                       {}};
    ChartSeries bins{"model", {}, false, true};
    for (std::size_t b = 0; b < m.calibrationCount.size(); ++b)
        if (m.calibrationCount[b] > 0 && b < m.calibrationConfidence.size() &&
            b < m.calibrationAccuracy.size() && std::isfinite(m.calibrationConfidence[b]) &&
            std::isfinite(m.calibrationAccuracy[b]))
            bins.points.emplace_back(m.calibrationConfidence[b], m.calibrationAccuracy[b]);
    out.calibration.series.push_back(std::move(bins));
    out.calibration.series.push_back(diagonal("perfect calibration"));
    return out;
}

} // namespace spinelens::eval
