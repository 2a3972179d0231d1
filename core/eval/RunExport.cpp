#include "eval/RunExport.h"
#include "util/Csv.h"

#include "ai/ProbabilityText.h"

#include "Error.h"
#include "eval/CasePreview.h"
#include "eval/Charts.h"
#include "eval/Metrics.h"
#include "eval/MetricsJson.h"
#include "eval/RunFile.h"
#include "image/Colormap.h"
#include "raster/RasterIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace spinelens::eval {
namespace {

std::string html(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = unsigned(bytes[i]) << 16 | unsigned(bytes[i + 1]) << 8 | bytes[i + 2];
        out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = unsigned(bytes[i]) << 16;
        out += {table[v >> 18], table[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const unsigned v = unsigned(bytes[i]) << 16 | unsigned(bytes[i + 1]) << 8;
        out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], '='};
    }
    return out;
}

std::string fixed(double v, int decimals = 3) {
    if (!std::isfinite(v))
        return "n/a";
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

double num(const nlohmann::json& j) {
    return j.is_number() ? j.get<double>() : NAN;
}

const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

// A square SVG line chart over [0, 1] x [0, 1].
std::string svgChart(const Chart& chart) {
    const int w = 300, h = 300, l = 45, r = 10, t = 25, b = 40;
    auto px = [&](double x) { return l + x * (w - l - r); };
    auto py = [&](double y) { return h - b - y * (h - t - b); };
    std::ostringstream s;
    s << std::fixed << std::setprecision(1);
    s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
      << "' font-family='sans-serif' font-size='11'>";
    s << "<text x='" << w / 2 << "' y='15' text-anchor='middle' font-weight='bold'>"
      << html(chart.title) << "</text>";
    for (int k = 0; k <= 5; ++k) {
        const double v = k / 5.0;
        s << "<line x1='" << px(0) << "' y1='" << py(v) << "' x2='" << px(1) << "' y2='" << py(v)
          << "' stroke='#e5e5e5'/>";
        s << "<line x1='" << px(v) << "' y1='" << py(0) << "' x2='" << px(v) << "' y2='" << py(1)
          << "' stroke='#e5e5e5'/>";
        s << "<text x='" << px(0) - 4 << "' y='" << py(v) + 4 << "' text-anchor='end'>" << v
          << "</text>";
        s << "<text x='" << px(v) << "' y='" << py(0) + 14 << "' text-anchor='middle'>" << v
          << "</text>";
    }
    s << "<rect x='" << px(0) << "' y='" << py(1) << "' width='" << px(1) - px(0) << "' height='"
      << py(0) - py(1) << "' fill='none' stroke='#555'/>";
    s << "<text x='" << (px(0) + px(1)) / 2 << "' y='" << h - 8 << "' text-anchor='middle'>"
      << html(chart.xLabel) << "</text>";
    s << "<text transform='translate(12," << (py(0) + py(1)) / 2
      << ") rotate(-90)' text-anchor='middle'>" << html(chart.yLabel) << "</text>";
    const std::size_t n = chart.series.size();
    // Reference diagonals first, so the curves are drawn over them; legend order unchanged.
    std::vector<std::size_t> order;
    for (bool reference : {true, false})
        for (std::size_t i = 0; i < n; ++i)
            if (chart.series[i].reference == reference)
                order.push_back(i);
    for (std::size_t i : order) {
        const ChartSeries& series = chart.series[i];
        const char* colour = series.reference ? "#999" : kPalette[i % 6];
        s << "<polyline fill='none' stroke='" << colour << "' stroke-width='1.8'"
          << (series.reference ? " stroke-dasharray='4 3'" : "") << " points='";
        for (const auto& [x, y] : series.points)
            s << px(std::clamp(x, 0.0, 1.0)) << ',' << py(std::clamp(y, 0.0, 1.0)) << ' ';
        s << "'/>";
        if (series.markers)
            for (const auto& [x, y] : series.points)
                s << "<circle cx='" << px(std::clamp(x, 0.0, 1.0)) << "' cy='"
                  << py(std::clamp(y, 0.0, 1.0)) << "' r='2.5' fill='" << colour << "'/>";
        s << "<text x='" << px(1) - 4 << "' y='" << py(0) - 8 - 13.0 * double(n - 1 - i)
          << "' text-anchor='end' fill='" << colour << "'>" << html(series.name) << "</text>";
    }
    s << "</svg>";
    return s.str();
}

std::string pngImg(const RgbPreview& p, const std::string& alt) {
    if (p.width == 0)
        return "<span class='missing'>" + html(alt) + "</span>";
    return "<img alt='" + html(alt) + "' src='data:image/png;base64," +
           base64(raster::encodePng8(p.width, p.height, 3, p.rgb.data())) + "'/>";
}

// The report's parts, in page order.
void writeReportHeader(std::ostringstream& h, const RunInfo& info, const HtmlReportOptions& o) {
    h << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>SpineLens evaluation: "
      << html(info.modelName) << "</title><style>"
      << "body{font-family:sans-serif;margin:24px;color:#222}"
      << "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}"
      << ".warn{background:#fff3cd;border:1px solid #e0c36b;padding:8px;margin:8px 0}"
      << ".case{display:inline-block;vertical-align:top;margin:6px;padding:6px;border:1px solid "
         "#ddd;width:"
      << 3 * o.thumbnailSize + 40 << "px}.case img{margin-right:4px}.missing{color:#a00}"
      << "</style></head><body>";
    h << "<h1>Evaluation of " << html(info.modelName) << ' ' << html(info.modelVersion) << "</h1>";
    if (info.syntheticModel || info.syntheticData)
        h << "<div class='warn'>SYNTHETIC: "
          << (info.syntheticData ? "these cases are synthetic phantoms, not patient images. " : "")
          << (info.syntheticModel ? "The model was trained on synthetic phantoms. " : "")
          << "Nothing here is clinical evidence; the model is not clinically validated.</div>";
    h << "<table><tr><th class='l'>Model</th><td class='l'>" << html(info.modelName) << ' '
      << html(info.modelVersion) << " (hash " << info.modelHash << ")</td></tr>"
      << "<tr><th class='l'>Data set</th><td class='l'>" << html(info.datasetRoot) << " ("
      << html(info.datasetLayout) << ", hash " << info.datasetHash << ")</td></tr>"
      << "<tr><th class='l'>Split</th><td class='l'>" << html(info.split) << ", seed " << info.seed
      << "</td></tr><tr><th class='l'>Run</th><td class='l'>" << html(info.created)
      << ", SpineLens " << html(info.programVersion) << (info.complete ? "" : ", <b>incomplete</b>")
      << "</td></tr></table>";
    if (!info.splitNote.empty())
        h << "<p class='warn'><b>Training data in the run:</b> " << html(info.splitNote) << ".</p>";
}

void writeMetricsSummary(std::ostringstream& h, const nlohmann::json& m) {
    h << "<h2>Metrics</h2><p>" << m["cases"] << " cases. Accuracy <b>" << fixed(num(m["accuracy"]))
      << "</b> (95% bootstrap CI " << fixed(num(m["accuracyCi95"][0])) << "&ndash;"
      << fixed(num(m["accuracyCi95"][1])) << "); macro AUC <b>" << fixed(num(m["macro"]["auc"]))
      << "</b> (" << fixed(num(m["macro"]["aucCi95"][0])) << "&ndash;"
      << fixed(num(m["macro"]["aucCi95"][1])) << "); expected calibration error "
      << fixed(num(m["calibration"]["ece"])) << ".";
    if (m.contains("bootstrap")) {
        const auto& b = m["bootstrap"];
        Metrics resampled;
        resampled.bootstrapResamples = b.value("resamples", 0);
        resampled.bootstrapUnits = b.value("units", m.value("cases", 0));
        resampled.bootstrapByGroup = b.value("unit", "case") == "patient/study";
        h << " Intervals: " << html(bootstrapDescription(resampled)) << ".";
    }
    if (m.contains("domain") && m["domain"].value("checked", false)) {
        const auto& d = m["domain"];
        h << " Domain check: <b>" << d["inDomain"] << " of " << d["cases"]
          << "</b> cases within the model's training data (coverage "
          << fixed(100 * num(d["coverage"]), 1) << "%, threshold " << fixed(num(d["threshold"]), 1)
          << "); accuracy on them <b>" << fixed(num(d["accuracyInDomain"])) << "</b>.";
        if (d["inDomain"] != d["cases"])
            h << " The other cases are outside the training data: the model cannot assess "
                 "them, and the figures above include them only for completeness.";
    } else {
        h << " No domain check: the model cannot tell when an image is unlike its training "
             "data.";
    }
    if (m.contains("diseaseVsNormal"))
        h << " Disease vs " << html(m["diseaseVsNormal"]["normalClass"].get<std::string>())
          << ": sensitivity " << fixed(num(m["diseaseVsNormal"]["sensitivity"])) << ", specificity "
          << fixed(num(m["diseaseVsNormal"]["specificity"])) << '.';
    h << "</p><table><tr><th class='l'>class</th><th>precision</th><th>recall</th><th>F1</th>"
         "<th>support</th><th>sensitivity</th><th>specificity</th><th>AUC</th><th>AP</th></tr>";
    for (const auto& c : m["classes"])
        h << "<tr><td class='l'>" << html(c["name"].get<std::string>()) << "</td><td>"
          << fixed(num(c["precision"])) << "</td><td>" << fixed(num(c["recall"])) << "</td><td>"
          << fixed(num(c["f1"])) << "</td><td>" << c["support"] << "</td><td>"
          << fixed(num(c["sensitivity"])) << "</td><td>" << fixed(num(c["specificity"]))
          << "</td><td>" << fixed(num(c["auc"])) << "</td><td>" << fixed(num(c["averagePrecision"]))
          << "</td></tr>";
    for (const char* avg : {"macro", "weighted"})
        h << "<tr><td class='l'>" << avg << " average</td><td>" << fixed(num(m[avg]["precision"]))
          << "</td><td>" << fixed(num(m[avg]["recall"])) << "</td><td>" << fixed(num(m[avg]["f1"]))
          << "</td><td colspan='5'></td></tr>";
    h << "</table>";
}

void writeCharts(std::ostringstream& h, const nlohmann::json& m, const std::string& source) {
    MetricCharts charts;
    try {
        charts = metricCharts(metricsFromJson(m, source));
    } catch (const std::exception& e) {
        h << "<p class='warn'>No charts: " << html(e.what()) << "</p>";
        return;
    }
    h << "<div>" << svgChart(charts.roc) << svgChart(charts.precisionRecall)
      << svgChart(charts.calibration) << "</div>";
}

void writeConfusionMatrix(std::ostringstream& h, const nlohmann::json& m, const RunInfo& info) {
    h << "<h2>Confusion matrix</h2><p>Rows: true class; columns: predicted. Count and row "
         "percent.</p><table><tr><th class='l'>true \\ predicted</th>";
    for (const auto& c : info.classes)
        h << "<th>" << html(c) << "</th>";
    h << "</tr>";
    for (std::size_t t = 0; t < info.classes.size() && t < m["confusion"].size(); ++t) {
        h << "<tr><th class='l'>" << html(info.classes[t]) << "</th>";
        for (std::size_t p = 0; p < info.classes.size(); ++p) {
            const double percent = num(m["confusionRowPercent"][t][p]);
            const auto c = heatColor(float(percent / 100.0));
            const int alpha = int(std::lround(percent / 100.0 * 200));
            h << "<td style='background:rgba(" << int(c[0]) << ',' << int(c[1]) << ',' << int(c[2])
              << ',' << alpha / 255.0 << ")'>" << m["confusion"][t][p] << "<br>"
              << fixed(percent, 1) << "%</td>";
        }
        h << "</tr>";
    }
    h << "</table>";
}

void writeMisclassified(std::ostringstream& h, const RunFile& run, const RunInfo& info,
                        const HtmlReportOptions& o) {
    const auto reviews = run.reviews();
    std::vector<CaseRecord> wrong;
    for (CaseRecord& c : run.cases())
        if (!c.correct)
            wrong.push_back(std::move(c));
    std::stable_sort(wrong.begin(), wrong.end(), [](const CaseRecord& a, const CaseRecord& b) {
        return a.confidence() > b.confidence();
    });
    h << "<h2>Misclassified cases (" << wrong.size() << ")</h2>";
    if (int(wrong.size()) > o.maxCases)
        h << "<p>The " << o.maxCases << " most confidently wrong are shown.</p>";
    std::vector<std::string> unreadable;
    for (std::size_t i = 0; i < wrong.size() && int(i) < o.maxCases; ++i) {
        const CaseRecord& c = wrong[i];
        auto name = [&](int k) { return html(info.classes.at(std::size_t(k))); };
        h << "<div class='case'><div><b>#" << c.id << "</b> true <b>" << name(c.trueLabel)
          << "</b>, predicted <b>" << name(c.predicted) << "</b> ("
          << html(ai::probabilityText(c.confidence())) << ")"
          << (c.inDomain ? "" : " <b>OUT OF DOMAIN</b> (not a finding)") << "</div>";
        try {
            const CaseImage image = loadCaseImage(c.path);
            const auto predictedMap = run.heatmap(c.id, c.predicted);
            const auto trueMap = run.heatmap(c.id, c.trueLabel);
            h << pngImg(renderCasePreview(image, nullptr, o.thumbnailSize), "image")
              << pngImg(predictedMap ? renderCasePreview(image, &*predictedMap, o.thumbnailSize)
                                     : RgbPreview{},
                        "Grad-CAM " + info.classes.at(std::size_t(c.predicted)))
              << pngImg(trueMap ? renderCasePreview(image, &*trueMap, o.thumbnailSize)
                                : RgbPreview{},
                        "Grad-CAM " + info.classes.at(std::size_t(c.trueLabel)));
            h << "<div>image | Grad-CAM for " << name(c.predicted) << " | Grad-CAM for "
              << name(c.trueLabel) << "</div>";
        } catch (const std::exception& e) {
            unreadable.push_back(c.path);
            h << "<div class='missing'>image not readable now: " << html(e.what()) << "</div>";
        }
        h << "<div style='font-size:small;word-break:break-all'>" << html(c.path) << "</div>";
        const auto r = reviews.find(c.id);
        if (r != reviews.end()) {
            std::string tags;
            for (const auto& t : r->second.tags)
                tags += (tags.empty() ? "" : ", ") + t;
            if (!tags.empty())
                h << "<div>Tags: " << html(tags) << "</div>";
            if (!r->second.note.empty())
                h << "<div>Note: " << html(r->second.note) << "</div>";
            if (r->second.relabel >= 0)
                h << "<div>Proposed label: " << name(r->second.relabel) << "</div>";
        }
        h << "</div>";
    }
    if (!unreadable.empty())
        h << "<p class='missing'>" << unreadable.size()
          << " image(s) could not be read (moved or deleted since the run).</p>";
}

void writeSkipped(std::ostringstream& h, const RunFile& run) {
    const std::vector<SkippedInput> skipped = run.skipped();
    if (!skipped.empty()) {
        h << "<h2>Left out of the run (" << skipped.size() << ")</h2><ul>";
        for (const SkippedInput& s : skipped)
            h << "<li>" << html(s.path) << ": " << html(s.reason) << "</li>";
        h << "</ul>";
    }
}

} // namespace

void exportCasesCsv(const RunFile& run, const std::string& path) {
    const RunInfo info = run.info();
    const auto reviews = run.reviews();
    std::ofstream out(path);
    if (!out)
        throw Error("cannot write the CSV", path);
    auto className = [&](int i) {
        return i >= 0 && std::size_t(i) < info.classes.size() ? info.classes[std::size_t(i)]
                                                              : std::string();
    };
    out << "case_id,path,study_uid,series_uid,sop_uid,group,true_label,predicted_label,"
           "confidence,loss,correct";
    for (const auto& c : info.classes)
        out << ',' << csvField("p_" + c);
    out << ",domain_score,in_domain,tags,note,proposed_label\n";
    out << std::setprecision(9);
    for (const CaseRecord& c : run.cases()) {
        out << c.id << ',' << csvField(c.path) << ',' << c.studyUid << ',' << c.seriesUid << ','
            << c.sopUid << ',' << csvField(c.group) << ',' << csvField(className(c.trueLabel))
            << ',' << csvField(className(c.predicted)) << ',' << c.confidence() << ',' << c.loss
            << ',' << (c.correct ? 1 : 0);
        for (float p : c.probabilities)
            out << ',' << p;
        out << ',';
        if (c.domainChecked) // both empty for a run without a domain check
            out << c.domainScore << ',' << (c.inDomain ? 1 : 0);
        else
            out << ',';
        const auto it = reviews.find(c.id);
        std::string tags, note, relabel;
        if (it != reviews.end()) {
            for (const auto& t : it->second.tags)
                tags += (tags.empty() ? "" : ";") + t;
            note = it->second.note;
            relabel = className(it->second.relabel);
        }
        out << ',' << csvField(tags) << ',' << csvField(note) << ',' << csvField(relabel) << '\n';
    }
    if (!out)
        throw Error("cannot write the CSV", path);
}

void exportHtmlReport(const RunFile& run, const std::string& path, const HtmlReportOptions& o) {
    const RunInfo info = run.info();
    const std::string metricsText = run.metricsJson();
    const nlohmann::json m =
        nlohmann::json::parse(metricsText.empty() ? "{}" : metricsText, nullptr, false);
    std::ostringstream h;
    writeReportHeader(h, info, o);
    if (m.is_object() && m.contains("accuracy")) {
        writeMetricsSummary(h, m);
        writeCharts(h, m, run.path());
        writeConfusionMatrix(h, m, info);
    } else {
        h << "<p>No metrics stored yet (run <code>spinelens-cli metrics</code>).</p>";
    }
    writeMisclassified(h, run, info, o);
    writeSkipped(h, run);
    h << "</body></html>\n";
    std::ofstream out(path);
    out << h.str();
    if (!out)
        throw Error("cannot write the HTML report", path);
}

} // namespace spinelens::eval
