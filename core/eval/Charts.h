#pragma once
// The evaluation charts (ROC and precision-recall one vs rest, reliability) as plain points and
// labels, prepared once for every renderer: the run browser draws them with Qt Charts, the HTML
// report as SVG. Both axes span [0, 1].
#include "eval/Metrics.h"

#include <string>
#include <utility>
#include <vector>

namespace spinelens::eval {

struct ChartSeries {
    std::string name;                              ///< with its figure, e.g. "normal (AUC 0.950)"
    std::vector<std::pair<double, double>> points; ///< finite points only
    bool reference = false; ///< the diagonal (chance, perfect calibration): drawn dashed grey
    bool markers = false;   ///< points drawn as well as the line (reliability bins)
};

struct Chart {
    std::string title, xLabel, yLabel;
    std::vector<ChartSeries> series;
};

struct MetricCharts {
    Chart roc, precisionRecall, calibration;
};

/// A figure as the charts print it: three decimals, "n/a" when undefined.
std::string chartFigure(double value);

/// Classes without positives or negatives have no curve (their AUC or AP is undefined);
/// reliability bins without cases have no point.
MetricCharts metricCharts(const Metrics& m);

} // namespace spinelens::eval
