#pragma once
// ROC, precision-recall and calibration (reliability) plots of a run, with Qt Charts.
#include "eval/Metrics.h"

#include <QTabWidget>

class QChart;
class QChartView;

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
};

} // namespace spinelens::ui
