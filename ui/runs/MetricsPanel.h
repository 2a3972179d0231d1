#pragma once
// The run's figures: what was run (model, data set, split, date; synthetic said plainly), the
// summary metrics with their bootstrap intervals, and the per-class table.
#include "runs/RunSession.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace spinelens::ui {

class MetricsPanel : public QWidget {
    Q_OBJECT
public:
    explicit MetricsPanel(QWidget* parent = nullptr);
    void showRun(const RunSnapshot& run);
    QTableWidget* summaryTable() const { return summary_; }
    QTableWidget* classTable() const { return perClass_; }
    QString runDescription() const;

private:
    QLabel* about_;
    QTableWidget* summary_;
    QTableWidget* perClass_;
};

/// "0.953" or "—" for an undefined (NaN) figure.
QString formatFigure(double value, int decimals = 3);

} // namespace spinelens::ui
