// Every evaluation metric against scikit-learn on the same predictions (multi-class, binary, a
// class with no positives, ties in the scores): tests/reference/metrics_reference.py writes the
// predictions and sklearn's figures; this computes ours from the same CSV and compares.
#include "data/Csv.h"
#include "eval/Metrics.h"
#include "eval/MetricsJson.h"

#include <QtTest>

#include <cmath>
#include <fstream>

using namespace spinelens;
using nlohmann::json;

namespace {

QString refDir() {
    return qEnvironmentVariable("SPINELENS_METRICS_REF");
}

struct Cases {
    std::vector<std::string> classes;
    std::vector<int> labels;
    std::vector<std::vector<double>> probabilities;
};

Cases readCases(const QString& path) {
    Cases c;
    std::ifstream in(path.toStdString());
    std::string line;
    std::getline(in, line);
    for (std::size_t start = 0;;) {
        const std::size_t comma = line.find(',', start);
        c.classes.push_back(line.substr(start, comma - start));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    while (std::getline(in, line)) {
        std::vector<double> row;
        std::size_t start = 0;
        c.labels.push_back(std::stoi(line));
        start = line.find(',') + 1;
        while (start > 0) {
            const std::size_t comma = line.find(',', start);
            row.push_back(std::stod(line.substr(start, comma - start)));
            start = comma == std::string::npos ? 0 : comma + 1;
        }
        c.probabilities.push_back(row);
    }
    return c;
}

// Same figure, or both undefined (null).
void same(const json& ours, const json& theirs, const std::string& what, double tolerance = 1e-9) {
    if (theirs.is_null() || ours.is_null()) {
        QVERIFY2(theirs.is_null() && ours.is_null(),
                 qPrintable(QString::fromStdString(what + ": ours " + ours.dump() + ", sklearn " +
                                                   theirs.dump())));
        return;
    }
    const double a = ours.get<double>(), b = theirs.get<double>();
    QVERIFY2(std::abs(a - b) <= tolerance,
             qPrintable(QString::fromStdString(what) +
                        QString(": ours %1, sklearn %2").arg(a, 0, 'g', 12).arg(b, 0, 'g', 12)));
}

void sameArray(const json& ours, const json& theirs, const std::string& what,
               std::size_t skipOurs = 0) {
    QVERIFY2(ours.size() == theirs.size() + skipOurs,
             qPrintable(QString::fromStdString(what) +
                        QString(": %1 points, sklearn %2").arg(ours.size()).arg(theirs.size())));
    for (std::size_t i = 0; i < theirs.size(); ++i)
        same(ours[i + skipOurs], theirs[i], what + "[" + std::to_string(i) + "]");
}

} // namespace

class MetricsVsSklearn : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(!refDir().isEmpty()); }

    void everyFigureEqualsSklearn_data() {
        QTest::addColumn<QString>("set");
        for (const char* s : {"multiclass", "binary", "no-positives", "ties", "grouped"})
            QTest::newRow(s) << QString(s);
    }

    void everyFigureEqualsSklearn() {
        QFETCH(QString, set);
        const Cases c = readCases(refDir() + "/" + set + ".csv");
        std::ifstream refIn((refDir() + "/" + set + ".json").toStdString());
        const json ref = json::parse(refIn);
        eval::MetricsOptions o;
        o.bootstrapResamples = ref["bootstrap"]["resamples"];
        o.bootstrapSeed = ref["bootstrap"]["seed"];
        if (ref.contains("groups"))
            o.groups = ref["groups"].get<std::vector<std::string>>();
        const json m = eval::toJson(eval::computeMetrics(c.labels, c.probabilities, c.classes, o));
        QCOMPARE(m["bootstrap"]["unit"].get<std::string>(),
                 ref["bootstrap"]["unit"].get<std::string>());
        QCOMPARE(m["bootstrap"]["units"].get<int>(), ref["bootstrap"]["units"].get<int>());

        same(m["accuracy"], ref["accuracy"], "accuracy");
        QCOMPARE(m["confusion"], ref["confusion"]);
        for (std::size_t t = 0; t < c.classes.size(); ++t)
            sameArray(m["confusionRowPercent"][t], ref["confusionRowPercent"][t],
                      "confusion row " + std::to_string(t));
        for (const char* avg : {"macro", "weighted"})
            for (const char* f : {"precision", "recall", "f1"})
                same(m[avg][f], ref[avg][f], std::string(avg) + " " + f);
        same(m["macro"]["auc"], ref["macroAuc"], "macro AUC");
        for (std::size_t k = 0; k < c.classes.size(); ++k) {
            const json& ours = m["classes"][k];
            const json& theirs = ref["classes"][k];
            const std::string name = theirs["name"];
            QCOMPARE(ours["support"], theirs["support"]);
            for (const char* f : {"precision", "recall", "f1", "sensitivity", "specificity", "auc",
                                  "averagePrecision"})
                same(ours[f], theirs[f], name + " " + f);
            if (theirs.contains("roc")) {
                sameArray(ours["roc"]["fpr"], theirs["roc"]["fpr"], name + " ROC fpr");
                sameArray(ours["roc"]["tpr"], theirs["roc"]["tpr"], name + " ROC tpr");
                // sklearn 1.2 puts max + 1 before the first threshold; ours is +infinity.
                sameArray(ours["roc"]["thresholds"], theirs["roc"]["thresholds"],
                          name + " ROC thresholds", 1);
            }
            if (theirs.contains("pr")) {
                sameArray(ours["pr"]["recall"], theirs["pr"]["recall"], name + " PR recall");
                sameArray(ours["pr"]["precision"], theirs["pr"]["precision"],
                          name + " PR precision");
                sameArray(ours["pr"]["thresholds"], theirs["pr"]["thresholds"],
                          name + " PR thresholds", 1);
            }
        }
        if (ref.contains("diseaseSensitivity")) {
            same(m["diseaseVsNormal"]["sensitivity"], ref["diseaseSensitivity"],
                 "disease sensitivity");
            same(m["diseaseVsNormal"]["specificity"], ref["diseaseSpecificity"],
                 "disease specificity");
        }
        same(m["calibration"]["ece"], ref["ece"], "expected calibration error");
        for (int i = 0; i < 2; ++i) {
            same(m["accuracyCi95"][i], ref["accuracyCi95"][i], "accuracy CI");
            same(m["macro"]["aucCi95"][i], ref["macroAucCi95"][i], "macro AUC CI");
        }
    }

    void aClassWithNoPositivesIsUndefinedNotZero() {
        const Cases c = readCases(refDir() + "/no-positives.csv");
        const eval::Metrics m = eval::computeMetrics(c.labels, c.probabilities, c.classes);
        QCOMPARE(m.classes[2].support, 0);
        QVERIFY(std::isnan(m.classes[2].auc));
        QVERIFY(std::isnan(m.classes[2].averagePrecision));
        QVERIFY(std::isfinite(m.macroAuc));
    }

    // The browser shows the metrics stored in the run file: reading them back must give every
    // figure (NaN included) exactly as computed.
    void storedMetricsReadBackUnchanged_data() { everyFigureEqualsSklearn_data(); }
    void storedMetricsReadBackUnchanged() {
        QFETCH(QString, set);
        const Cases c = readCases(refDir() + "/" + set + ".csv");
        const eval::Metrics m = eval::computeMetrics(c.labels, c.probabilities, c.classes);
        const json written = eval::toJson(m);
        const eval::Metrics back = eval::metricsFromJson(json::parse(written.dump()), "test");
        QCOMPARE(eval::toJson(back).dump(), written.dump());
        QCOMPARE(back.normalClass, m.normalClass);
        QCOMPARE(back.classes.size(), m.classes.size());
        QCOMPARE(back.classes[0].roc.x.size(), m.classes[0].roc.x.size());
        json broken = written;
        broken.erase("confusion");
        QVERIFY_THROWS_EXCEPTION(std::exception, eval::metricsFromJson(broken, "run.sqlite"));
        try {
            eval::metricsFromJson(broken, "run.sqlite");
        } catch (const std::exception& e) {
            QVERIFY2(QString(e.what()).contains("run.sqlite"), e.what());
        }
    }

    void badInputIsRefusedByName() {
        QVERIFY_THROWS_EXCEPTION(
            std::exception, eval::computeMetrics({0, 5}, {{0.5, 0.5}, {0.5, 0.5}}, {"a", "b"}));
        QVERIFY_THROWS_EXCEPTION(std::exception,
                                 eval::computeMetrics({0}, {{0.5, 0.2, 0.3}}, {"a", "b"}));
    }
};

QTEST_GUILESS_MAIN(MetricsVsSklearn)
#include "test_metrics_vs_sklearn.moc"
