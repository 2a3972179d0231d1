#include "runs/MetricsPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace spinelens::ui {

QString formatFigure(double value, int decimals) {
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QStringLiteral("—");
}

namespace {

QTableWidget* makeTable(QWidget* parent) {
    auto* t = new QTableWidget(parent);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

void setRow(QTableWidget* t, int row, const QStringList& cells) {
    for (int c = 0; c < cells.size(); ++c)
        t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

QString interval(const eval::Interval& ci) {
    return QString("%1 – %2").arg(formatFigure(ci.low), formatFigure(ci.high));
}

} // namespace

MetricsPanel::MetricsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    about_ = new QLabel(this);
    about_->setWordWrap(true);
    about_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_ = makeTable(this);
    summary_->setColumnCount(3);
    summary_->setHorizontalHeaderLabels({tr("Metric"), tr("Value"), tr("95% CI (bootstrap)")});
    perClass_ = makeTable(this);
    perClass_->setColumnCount(9);
    perClass_->setHorizontalHeaderLabels({tr("Class"), tr("Support"), tr("Precision"), tr("Recall"),
                                          tr("F1"), tr("Sensitivity"), tr("Specificity"), tr("AUC"),
                                          tr("AP")});
    layout->addWidget(about_);
    layout->addWidget(summary_, 3);
    layout->addWidget(new QLabel(tr("Per class (one vs rest)"), this));
    layout->addWidget(perClass_, 2);
}

QString MetricsPanel::runDescription() const {
    return about_->text();
}

void MetricsPanel::showRun(const RunSnapshot& run) {
    const eval::RunInfo& i = run.info;
    const eval::Metrics& m = run.metrics;
    QString about =
        tr("<b>%1</b> %2 on <b>%3</b> (%4 split, seed %5), %6 cases; %7, SpineLens %8.")
            .arg(QString::fromStdString(i.modelName).toHtmlEscaped(),
                 QString::fromStdString(i.modelVersion).toHtmlEscaped(),
                 QString::fromStdString(i.datasetRoot).toHtmlEscaped(),
                 QString::fromStdString(i.split))
            .arg(i.seed)
            .arg(run.cases.size())
            .arg(QString::fromStdString(i.created), QString::fromStdString(i.programVersion));
    if (i.syntheticModel || i.syntheticData)
        about += tr("<br><span style='color:#b35900'><b>Synthetic:</b> %1. These figures say "
                    "nothing about real patients; the model is not clinically validated.</span>")
                     .arg(i.syntheticModel && i.syntheticData
                              ? tr("model trained on synthetic phantoms, evaluated on synthetic "
                                   "phantoms")
                          : i.syntheticModel ? tr("model trained on synthetic phantoms")
                                             : tr("evaluated on synthetic phantoms"));
    about += tr("<br>95% intervals: %1.")
                 .arg(QString::fromStdString(eval::bootstrapDescription(m)).toHtmlEscaped());
    if (!run.metricsStored)
        about += tr("<br>Metrics computed now from the cases in the file (none stored).");
    if (i.domainChecked && m.domain.inDomain < m.domain.cases)
        about += tr("<br>The figures below count all %1 cases, including the %2 outside the "
                    "model's training data (no finding for those); the in-domain rows give "
                    "the coverage and the accuracy on the rest.")
                     .arg(m.domain.cases)
                     .arg(m.domain.cases - m.domain.inDomain);
    about_->setText(about);

    struct Row {
        QString name, value, ci;
    };
    std::vector<Row> rows = {
        {tr("Accuracy"), formatFigure(m.accuracy), interval(m.accuracyCi)},
        {tr("Macro AUC (ROC)"), formatFigure(m.macroAuc), interval(m.macroAucCi)},
        {tr("Macro precision"), formatFigure(m.macroPrecision), {}},
        {tr("Macro recall"), formatFigure(m.macroRecall), {}},
        {tr("Macro F1"), formatFigure(m.macroF1), {}},
        {tr("Weighted precision"), formatFigure(m.weightedPrecision), {}},
        {tr("Weighted recall"), formatFigure(m.weightedRecall), {}},
        {tr("Weighted F1"), formatFigure(m.weightedF1), {}},
    };
    if (m.normalClass >= 0) {
        const QString normal = QString::fromStdString(m.classes[std::size_t(m.normalClass)].name);
        rows.push_back(
            {tr("Disease vs %1: sensitivity").arg(normal), formatFigure(m.diseaseSensitivity), {}});
        rows.push_back(
            {tr("Disease vs %1: specificity").arg(normal), formatFigure(m.diseaseSpecificity), {}});
    }
    if (run.info.domainChecked) {
        rows.push_back({tr("In domain (coverage)"),
                        tr("%1 of %2 (%3%)")
                            .arg(m.domain.inDomain)
                            .arg(m.domain.cases)
                            .arg(100.0 * m.domain.coverage, 0, 'f', 1),
                        {}});
        rows.push_back(
            {tr("Accuracy on in-domain cases"), formatFigure(m.domain.accuracyInDomain), {}});
    } else {
        rows.push_back({tr("Domain check"), tr("none (the model has no domain model)"), {}});
    }
    rows.push_back({tr("Calibration error (ECE, %1 bins)").arg(m.calibrationCount.size()),
                    formatFigure(m.expectedCalibrationError),
                    {}});
    rows.push_back(
        {tr("Bootstrap"), tr("%1 × (seed %2)").arg(m.bootstrapResamples).arg(m.bootstrapSeed), {}});
    summary_->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r)
        setRow(summary_, r,
               {rows[std::size_t(r)].name, rows[std::size_t(r)].value, rows[std::size_t(r)].ci});
    summary_->resizeColumnsToContents();

    perClass_->setRowCount(int(m.classes.size()));
    for (int k = 0; k < int(m.classes.size()); ++k) {
        const eval::ClassMetrics& c = m.classes[std::size_t(k)];
        setRow(perClass_, k,
               {QString::fromStdString(c.name), QString::number(c.support),
                formatFigure(c.precision), formatFigure(c.recall), formatFigure(c.f1),
                formatFigure(c.sensitivity), formatFigure(c.specificity), formatFigure(c.auc),
                formatFigure(c.averagePrecision)});
    }
    perClass_->resizeColumnsToContents();
}

} // namespace spinelens::ui
