#pragma once
// ROC, precision-recall and calibration (reliability) plots of a run, with Qt Charts.
#include "eval/Metrics.h"

#include <QTabWidget>

class QChart;
class QChartView;
class QLabel;

namespace spinelens::ui {

class RunPlots : public QTabWidget {
    Q_OBJECT
public:
    explicit RunPlots(QWidget* parent = nullptr);
    void showMetrics(const eval::Metrics& m);
    QChart* rocChart() const;
    QChart* prChart() const;
    QChart* calibrationChart() const;

private:
    QChartView* roc_;
    QChartView* pr_;
    QChartView* calibration_;
    // Qt Charts' own legend lays out in one row and truncates class names in a narrow pane;
    // these list every series on its own line instead.
    QLabel* rocLegend_;
    QLabel* prLegend_;
};

} // namespace spinelens::ui
