#include "runs/RunPlots.h"

#include "eval/Charts.h"

#include <QChart>
#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

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

QString text(const std::string& s) {
    return QString::fromStdString(s);
}

/// Shows a prepared chart: unit axes with its titles, one line per series.
void showChart(QChart* chart, const eval::Chart& c) {
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes())
        chart->removeAxis(a);
    chart->setTitle(text(c.title));
    auto* ax = new QValueAxis(chart);
    auto* ay = new QValueAxis(chart);
    ax->setRange(0, 1);
    ay->setRange(0, 1);
    ax->setTickCount(6);
    ay->setTickCount(6);
    ax->setTitleText(text(c.xLabel));
    ay->setTitleText(text(c.yLabel));
    ax->setLabelFormat("%.1f");
    ay->setLabelFormat("%.1f");
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    for (const eval::ChartSeries& series : c.series) {
        auto* s = new QLineSeries();
        s->setName(text(series.name));
        QList<QPointF> points;
        points.reserve(qsizetype(series.points.size()));
        for (const auto& [x, y] : series.points)
            points.append(QPointF(x, y));
        s->replace(points);
        s->setPointsVisible(series.markers);
        if (series.reference) {
            QPen pen(Qt::gray);
            pen.setStyle(Qt::DashLine);
            s->setPen(pen);
        }
        chart->addSeries(s);
        s->attachAxis(ax);
        s->attachAxis(ay);
    }
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
    const eval::MetricCharts charts = eval::metricCharts(m);
    showChart(rocChart(), charts.roc);
    showChart(prChart(), charts.precisionRecall);
    showChart(calibrationChart(), charts.calibration);
    rocLegend_->setText(legendText(rocChart()));
    prLegend_->setText(legendText(prChart()));
}

} // namespace spinelens::ui
