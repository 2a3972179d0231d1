#include "runs/RunPlots.h"

#include "runs/MetricsPanel.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace spinelens::ui {
namespace {

QChartView* makeView(QWidget* parent) {
    auto* chart = new QChart();
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->legend()->setVisible(false);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    return view;
}

/// Resets a chart to unit axes with the given titles.
void resetChart(QChart* chart, const QString& title, const QString& x, const QString& y) {
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    chart->setTitle(title);
    auto* ax = new QValueAxis(chart);
    auto* ay = new QValueAxis(chart);
    ax->setRange(0, 1);
    ay->setRange(0, 1);
    ax->setTickCount(6);
    ay->setTickCount(6);
    ax->setTitleText(x);
    ay->setTitleText(y);
    ax->setLabelFormat("%.1f");
    ay->setLabelFormat("%.1f");
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
}

void addSeries(QChart* chart, QXYSeries* s) {
    chart->addSeries(s);
    s->attachAxis(chart->axes(Qt::Horizontal).first());
    s->attachAxis(chart->axes(Qt::Vertical).first());
}

QLineSeries* diagonal(const QString& name) {
    auto* s = new QLineSeries();
    s->setName(name);
    s->append(0, 0);
    s->append(1, 1);
    QPen pen(Qt::gray);
    pen.setStyle(Qt::DashLine);
    s->setPen(pen);
    return s;
}

QLineSeries* curveSeries(const eval::Curve& c, const QString& name) {
    auto* s = new QLineSeries();
    s->setName(name);
    QList<QPointF> points;
    points.reserve(qsizetype(c.x.size()));
    for (std::size_t i = 0; i < c.x.size() && i < c.y.size(); ++i)
        if (std::isfinite(c.x[i]) && std::isfinite(c.y[i]))
            points.append(QPointF(c.x[i], c.y[i]));
    s->replace(points);
    return s;
}

/// A chart with its series listed underneath, one per line, in the series' colours.
QWidget* withLegend(QChartView* view, QLabel* legend, QWidget* parent) {
    auto* page = new QWidget(parent);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view, 1);
    legend->setTextFormat(Qt::RichText);
    legend->setWordWrap(true);
    layout->addWidget(legend);
    return page;
}

QString legendText(const QChart* chart) {
    QStringList lines;
    for (const QAbstractSeries* s : chart->series())
        if (const auto* xy = qobject_cast<const QXYSeries*>(s))
            lines << QString("<span style='color:%1'>&#9632;</span> %2")
                         .arg(xy->color().name(), xy->name().toHtmlEscaped());
    return lines.join("<br>");
}

} // namespace

RunPlots::RunPlots(QWidget* parent)
    : QTabWidget(parent), roc_(makeView(this)), pr_(makeView(this)), calibration_(makeView(this)),
      rocLegend_(new QLabel(this)), prLegend_(new QLabel(this)) {
    addTab(withLegend(roc_, rocLegend_, this), tr("ROC"));
    addTab(withLegend(pr_, prLegend_, this), tr("Precision–recall"));
    addTab(calibration_, tr("Calibration"));
    calibration_->chart()->legend()->setVisible(true);
}

QChart* RunPlots::rocChart() const {
    return roc_->chart();
}
QChart* RunPlots::prChart() const {
    return pr_->chart();
}
QChart* RunPlots::calibrationChart() const {
    return calibration_->chart();
}

void RunPlots::showMetrics(const eval::Metrics& m) {
    resetChart(rocChart(), tr("ROC, one vs rest (macro AUC %1)").arg(formatFigure(m.macroAuc)),
               tr("False positive rate"), tr("True positive rate"));
    resetChart(prChart(), tr("Precision–recall, one vs rest"), tr("Recall"), tr("Precision"));
    for (const eval::ClassMetrics& c : m.classes) {
        const QString name = QString::fromStdString(c.name);
        if (std::isfinite(c.auc))
            addSeries(rocChart(),
                      curveSeries(c.roc, tr("%1 (AUC %2)").arg(name, formatFigure(c.auc))));
        if (std::isfinite(c.averagePrecision))
            addSeries(
                prChart(),
                curveSeries(c.pr, tr("%1 (AP %2)").arg(name, formatFigure(c.averagePrecision))));
    }
    addSeries(rocChart(), diagonal(tr("chance")));
    rocLegend_->setText(legendText(rocChart()));
    prLegend_->setText(legendText(prChart()));

    resetChart(calibrationChart(),
               tr("Reliability (ECE %1)").arg(formatFigure(m.expectedCalibrationError)),
               tr("Mean confidence in bin"), tr("Accuracy in bin"));
    auto* bins = new QLineSeries();
    bins->setName(tr("model"));
    bins->setPointsVisible(true);
    for (std::size_t b = 0; b < m.calibrationCount.size(); ++b)
        if (m.calibrationCount[b] > 0)
            bins->append(m.calibrationConfidence[b], m.calibrationAccuracy[b]);
    addSeries(calibrationChart(), bins);
    addSeries(calibrationChart(), diagonal(tr("perfect calibration")));
}

} // namespace spinelens::ui
