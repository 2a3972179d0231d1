// Evaluation runs: a run over a phantom set stores every case with its probabilities and
// Grad-CAM maps and the metrics; an interrupted run resumes without redoing cases; run files
// of other programs or newer schemas are refused by name; labels the model lacks are listed;
// and review edits survive the process being killed right after they are made.
#include "Error.h"
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "data/PhantomSets.h"
#include "eval/Evaluator.h"
#include "eval/RunExport.h"
#include "eval/RunFile.h"
#include "raster/RasterIO.h"
#include "study/CaseImage.h"
#include "train/Trainer.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <csignal>
#include <fstream>

using namespace spinelens;

namespace {

QString models() {
    return qEnvironmentVariable("SPINELENS_AI_TEST_DATA") + "/models";
}

// Child mode: write a tag, a note and a relabel, then die at once (SIGKILL, no cleanup).
int writeReviewAndDie(const char* runPath) {
    auto run = eval::RunFile::open(runPath);
    run->setTags(1, {"label error", "artefact"});
    run->setNote(1, "endplate looks fractured");
    run->setRelabel(1, 3);
    std::raise(SIGKILL);
    return 0;
}

} // namespace

class Evaluation : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString data_;

    eval::EvaluateOptions options(const QString& runName) const {
        eval::EvaluateOptions o;
        o.model = (models() + "/tiny-cnn-xray").toStdString();
        o.dataset = data_.toStdString();
        o.output = (dir_.path() + "/" + runName).toStdString();
        o.split = "all";
        return o;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(!qEnvironmentVariable("SPINELENS_AI_TEST_DATA").isEmpty());
        data_ = dir_.path() + "/xray";
        phantom::writeXrayPhantomSet(data_.toStdString(), 24, 3);
    }

    void aRunStoresEveryCaseHeatmapsAndMetrics() {
        const eval::EvaluateResult r = eval::evaluate(options("run.sqlite"));
        QCOMPARE(r.evaluated, 24);
        QCOMPARE(r.total, 24);
        QVERIFY(!r.cancelled);
        QVERIFY(r.failures.empty());
        auto run = eval::RunFile::open((dir_.path() + "/run.sqlite").toStdString(), false);
        const eval::RunInfo info = run->info();
        QCOMPARE(info.modelName, std::string("tiny-cnn-xray"));
        QCOMPARE(int(info.classes.size()), 4);
        QVERIFY(info.syntheticData);
        QVERIFY(info.complete);
        QCOMPARE(info.modelHash.size(), std::size_t(16));
        const auto cases = run->cases();
        QCOMPARE(int(cases.size()), 24);
        int wrong = 0;
        for (const auto& c : cases) {
            QCOMPARE(int(c.probabilities.size()), 4);
            QCOMPARE(c.correct, c.predicted == c.trueLabel);
            QVERIFY(std::abs(c.loss + std::log(c.probabilities[std::size_t(c.trueLabel)])) < 1e-4);
            const auto predictedMap = run->heatmap(c.id, c.predicted);
            QVERIFY(predictedMap.has_value());
            QVERIFY(predictedMap->width <= 128 && predictedMap->height <= 128);
            if (!c.correct) {
                ++wrong;
                QVERIFY(run->heatmap(c.id, c.trueLabel).has_value());
            }
        }
        qInfo("%d of 24 cases wrong", wrong);
        const auto metrics = nlohmann::json::parse(run->metricsJson());
        QCOMPARE(metrics["cases"].get<int>(), 24);
        int correct = 0;
        for (const auto& c : cases)
            correct += c.correct;
        QCOMPARE(metrics["accuracy"].get<double>(), correct / 24.0);
    }

    void onePassGivesTheSamePredictionAndMapsAsSeparateCalls() {
        // The evaluator's single features() pass must equal Classifier + explain() per class.
        auto package = ai::ModelPackage::load((models() + "/tiny-cnn-xray").toStdString());
        const QString folder = data_ + "/osteophyte";
        const CaseImage img =
            loadCaseImage((folder + "/" + QDir(folder).entryList(QDir::Files)[0]).toStdString());
        const ai::GreyImage grey{img.pixels.data(), img.width, img.height, &img.display};
        const ai::Prediction p = ai::Classifier(package).predict(grey);
        const int other = (p.predicted + 1) % 4;
        const ai::ExplainedPrediction e = ai::explainPrediction(*package, grey, other);
        QCOMPARE(e.prediction.predicted, p.predicted);
        for (std::size_t k = 0; k < p.probabilities.size(); ++k)
            QVERIFY(std::abs(e.prediction.probabilities[k] - p.probabilities[k]) < 1e-5f);
        QVERIFY(e.hasOther);
        for (const auto& [map, cls] :
             {std::pair{&e.predicted, p.predicted}, std::pair{&e.other, other}}) {
            const ai::Heatmap ref = ai::explain(*package, ai::ExplainMethod::GradCam, grey, cls);
            QCOMPARE(map->classIndex, cls);
            QCOMPARE(map->values.size(), ref.values.size());
            float worst = 0;
            for (std::size_t i = 0; i < ref.values.size(); ++i)
                worst = std::max(worst, std::abs(map->values[i] - ref.values[i]));
            QVERIFY2(worst < 1e-4f, qPrintable(QString::number(worst)));
        }
        QVERIFY(!ai::explainPrediction(*package, grey, p.predicted).hasOther);
    }

    void anInterruptedRunResumesWithoutRedoingCases() {
        std::atomic<bool> stop{false};
        eval::EvaluateOptions o = options("resumed.sqlite");
        o.cancel = &stop;
        o.flushEvery = 1;
        o.progress = [&](const eval::EvaluateProgress& p) {
            if (p.done == 10)
                stop.store(true);
        };
        eval::EvaluateResult first = eval::evaluate(o);
        QVERIFY(first.cancelled);
        QCOMPARE(first.evaluated, 10);
        o.cancel = nullptr;
        o.progress = nullptr;
        eval::EvaluateResult second = eval::evaluate(o);
        QCOMPARE(second.alreadyDone, 10);
        QCOMPARE(second.evaluated, 14);
        auto run = eval::RunFile::open(o.output, false);
        QCOMPARE(run->caseCount(), 24);
        QVERIFY(run->info().complete);
        // Resuming into a file of another run is refused by name.
        eval::EvaluateOptions other = o;
        other.split = "test";
        try {
            eval::evaluate(other);
            QFAIL("mixed two runs in one file");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("resumed.sqlite"), e.what());
        }
    }

    void foreignAndNewerRunFilesAreRefusedByName() {
        const QString text = dir_.path() + "/notes.sqlite";
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are not the droids");
        f.close();
        const QString foreign = dir_.path() + "/foreign.sqlite";
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(foreign.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        const QString newer = dir_.path() + "/newer.sqlite";
        QVERIFY(QFile::copy(dir_.path() + "/run.sqlite", newer));
        QCOMPARE(sqlite3_open(newer.toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version=99;", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        const std::vector<std::pair<QString, QString>> expected = {
            {text, "not a SpineLens run file"},
            {foreign, "not a SpineLens run file"},
            {newer, "newer SpineLens"},
            {dir_.path() + "/missing.sqlite", "not found"}};
        for (const auto& [path, words] : expected) {
            try {
                eval::RunFile::open(path.toStdString());
                QFAIL(qPrintable("opened " + path));
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(words) && QString(e.what()).contains(path),
                         e.what());
            }
        }
    }

    void labelsTheModelLacksAreListedNotFatal() {
        const QString odd = dir_.path() + "/odd";
        QDir().mkpath(odd);
        QVERIFY(QDir().rename(data_ + "/normal", odd + "/normal"));
        QDir().mkpath(odd + "/fracture");
        QVERIFY(QFile::copy(odd + "/normal/" + QDir(odd + "/normal").entryList(QDir::Files)[0],
                            odd + "/fracture/a.png"));
        QVERIFY(QFile::copy(odd + "/normal/" + QDir(odd + "/normal").entryList(QDir::Files)[0],
                            odd + "/normal/broken.png"));
        QFile broken(odd + "/normal/broken.png");
        QVERIFY(broken.resize(100));
        eval::EvaluateOptions o = options("odd.sqlite");
        o.dataset = odd.toStdString();
        const eval::EvaluateResult r = eval::evaluate(o);
        QVERIFY(QDir().rename(odd + "/normal", data_ + "/normal"));
        bool fractureListed = false;
        for (const auto& p : r.datasetProblems)
            fractureListed |= QString::fromStdString(p.path).contains("fracture");
        QVERIFY(fractureListed);
        QCOMPARE(int(r.failures.size()), 1);
        QVERIFY(QString::fromStdString(r.failures[0].path).endsWith("broken.png"));
        QVERIFY(r.evaluated > 0);
        // The run file keeps both, so the browser can say what the figures leave out.
        const auto skipped = eval::RunFile::open(o.output, false)->skipped();
        QCOMPARE(int(skipped.size()), int(r.datasetProblems.size() + r.failures.size()));
        bool brokenKept = false;
        for (const auto& s : skipped)
            brokenKept |=
                QString::fromStdString(s.path).endsWith("broken.png") && !s.reason.empty();
        QVERIFY(brokenKept);
    }

    void theDomainCheckIsStoredPerCaseAndCounted() {
        // The shipped X-ray package over phantoms plus two images nothing like them (blank and
        // noise, filed as "normal"): those two are stored out of domain, the metrics count the
        // coverage and the accuracy on in-domain cases, and the CSV carries both columns.
        const QString set = dir_.filePath("domain-set");
        phantom::writeXrayPhantomSet(set.toStdString(), 8, 77);
        std::vector<std::uint8_t> blank(300 * 300, 0), noise(300 * 300);
        std::uint32_t state = 12345;
        for (auto& v : noise)
            v = std::uint8_t((state = state * 1664525u + 1013904223u) >> 24);
        raster::writePng8((set + "/normal/zz-blank.png").toStdString(), 300, 300, 1, blank.data());
        raster::writePng8((set + "/normal/zz-noise.png").toStdString(), 300, 300, 1, noise.data());
        eval::EvaluateOptions o = options("domain.sqlite");
        o.model = std::string(SPINELENS_SOURCE_DIR) + "/models/spine-xray-4class";
        o.dataset = set.toStdString();
        const eval::EvaluateResult r = eval::evaluate(o);
        QCOMPARE(r.evaluated, 10);
        auto run = eval::RunFile::open(o.output, false);
        QVERIFY(run->info().domainChecked);
        QVERIFY(run->info().domainThreshold > 0);
        int inside = 0, correctInside = 0;
        for (const eval::CaseRecord& c : run->cases()) {
            QVERIFY(c.domainChecked);
            QCOMPARE(c.inDomain, c.domainScore <= run->info().domainThreshold);
            if (QString::fromStdString(c.path).contains("zz-"))
                QVERIFY2(!c.inDomain, c.path.c_str());
            inside += c.inDomain;
            correctInside += c.inDomain && c.correct;
        }
        QVERIFY(inside >= 7 && inside <= 8);
        const auto m = nlohmann::json::parse(run->metricsJson());
        QCOMPARE(m["domain"]["cases"].get<int>(), 10);
        QCOMPARE(m["domain"]["inDomain"].get<int>(), inside);
        QCOMPARE(m["domain"]["coverage"].get<double>(), inside / 10.0);
        QCOMPARE(m["domain"]["accuracyInDomain"].get<double>(), double(correctInside) / inside);
        const std::string csv = (dir_.path() + "/domain.csv").toStdString();
        eval::exportCasesCsv(*run, csv);
        std::ifstream in(csv);
        std::string header;
        std::getline(in, header);
        QVERIFY(header.find(",domain_score,in_domain,") != std::string::npos);

        // A run file of schema 1 (before the domain check): read-only, every case counts as
        // not checked; opened for writing, it is upgraded in place.
        const std::string old = (dir_.path() + "/schema1.sqlite").toStdString();
        QVERIFY(QFile::copy(QString::fromStdString(o.output), QString::fromStdString(old)));
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(old.c_str(), &db), SQLITE_OK);
        // What schema 1 wrote: no domain columns, no domain meta, metrics without "domain".
        QCOMPARE(sqlite3_exec(db,
                              "ALTER TABLE cases DROP COLUMN domain_score; ALTER TABLE cases DROP "
                              "COLUMN in_domain; DELETE FROM meta WHERE key LIKE 'domain_%'; "
                              "UPDATE metrics SET json = json_remove(json, '$.domain'); "
                              "PRAGMA user_version=1;",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
        sqlite3_close(db);
        const auto userVersion = [&] {
            sqlite3* d = nullptr;
            sqlite3_open(old.c_str(), &d);
            sqlite3_stmt* s = nullptr;
            sqlite3_prepare_v2(d, "PRAGMA user_version", -1, &s, nullptr);
            sqlite3_step(s);
            const int v = sqlite3_column_int(s, 0);
            sqlite3_finalize(s);
            sqlite3_close(d);
            return v;
        };
        {
            auto reopened = eval::RunFile::open(old, true); // as the browser opens it
            QVERIFY(!reopened->info().domainChecked);
            for (const eval::CaseRecord& c : reopened->cases())
                QVERIFY(!c.domainChecked && c.inDomain);
            reopened->setNote(1, "reviewed in a newer SpineLens");
            const auto stored = nlohmann::json::parse(reopened->metricsJson());
            QVERIFY(!stored.contains("domain"));
        }
        QCOMPARE(userVersion(), 1); // browsing and reviewing leave it readable by older builds
        const std::string metrics = eval::refreshMetrics(old);
        QCOMPARE(nlohmann::json::parse(metrics)["domain"]["coverage"].get<double>(), 1.0);
    }

    void aRunSaysWhenItOverlapsTheTrainingData() {
        // A package trained here on the phantom set: --split test (its seed by default) is its
        // own held-out test split and says nothing; --split all says it includes the training
        // images; another data set's "test" split says it cannot be the package's.
        train::TrainOptions t;
        t.architecture = (models() + "/tiny-cnn-xray").toStdString();
        t.dataset = data_.toStdString();
        t.output = (dir_.path() + "/trained-here").toStdString();
        t.epochs = 1;
        t.seed = 7;
        const train::TrainResult trained = train::trainModel(t);
        eval::EvaluateOptions o = options("own-test.sqlite");
        o.model = t.output;
        o.split = "test";
        const eval::EvaluateResult test = eval::evaluate(o);
        QCOMPARE(test.total, trained.testSamples); // the trainer's test split, by its seed
        QVERIFY2(test.splitNote.empty(), test.splitNote.c_str());
        QCOMPARE(eval::RunFile::open(o.output, false)->info().seed, std::uint64_t(7));
        o.output = (dir_.path() + "/own-all.sqlite").toStdString();
        o.split = "all";
        const eval::EvaluateResult all = eval::evaluate(o);
        QVERIFY2(all.splitNote.find("was trained on") != std::string::npos, all.splitNote.c_str());
        QVERIFY(eval::RunFile::open(o.output, false)->info().splitNote == all.splitNote);
        o.output = (dir_.path() + "/other-test.sqlite").toStdString();
        phantom::writeXrayPhantomSet((dir_.path() + "/other-set").toStdString(), 24, 9);
        o.dataset = (dir_.path() + "/other-set").toStdString();
        o.split = "test";
        const eval::EvaluateResult other = eval::evaluate(o);
        QVERIFY2(other.splitNote.find("does not give the split") != std::string::npos,
                 other.splitNote.c_str());
    }

    void reviewSurvivesAKillRightAfterTheEdit() {
        const QString path = dir_.path() + "/run.sqlite";
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {"--write-review-and-die", path});
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit); // killed, not a clean exit
        auto run = eval::RunFile::open(path.toStdString(), false);
        const auto reviews = run->reviews();
        QVERIFY(reviews.count(1));
        QCOMPARE(reviews.at(1).tags, (std::set<std::string>{"artefact", "label error"}));
        QCOMPARE(reviews.at(1).note, std::string("endplate looks fractured"));
        QCOMPARE(reviews.at(1).relabel, 3);
    }
};

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--write-review-and-die")
        return writeReviewAndDie(argv[2]);
    QCoreApplication app(argc, argv);
    Evaluation test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_evaluation.moc"
