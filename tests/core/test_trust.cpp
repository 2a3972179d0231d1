// The trust layer against independent references: temperature scaling against scipy's bounded
// minimiser, ECE against numpy, the domain model (class means, Ledoit-Wolf shrinkage, precision,
// Mahalanobis scores) against scikit-learn's LedoitWolf, the threshold's order statistic against
// scipy.stats.binom, and .npy files written by numpy (tests/reference/trust_reference.py). Then
// the shipped packages: damaged or mismatched domain models are refused naming the file.
#include "Error.h"
#include "ai/ModelPackage.h"
#include "ai/ProbabilityText.h"
#include "ai/trust/Calibration.h"
#include "ai/trust/DomainModel.h"
#include "util/Npy.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace spinelens;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string refDir() {
    return qEnvironmentVariable("SPINELENS_TRUST_REF").toStdString();
}

json reference() {
    std::ifstream in(refDir() + "/trust.json");
    if (!in)
        throw std::runtime_error("no reference: run trust_reference.py (CTest fixture)");
    return json::parse(in);
}

ai::LabelledLogits logitsOf(const json& c) {
    ai::LabelledLogits l;
    for (const auto& row : c.at("logits"))
        l.logits.push_back(row.get<std::vector<float>>());
    l.labels = c.at("labels").get<std::vector<int>>();
    return l;
}

bool near(double a, double b, double rel) {
    return std::abs(a - b) <= rel * std::max(1.0, std::abs(b));
}

std::string shippedPackage(const char* name) {
    return std::string(SPINELENS_SOURCE_DIR) + "/models/" + name;
}

} // namespace

class TestTrust : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void temperatureMatchesScipy() {
        const json ref = reference(); // kept alive: the loop walks inside it
        int cases = 0;
        for (const json& c : ref.at("temperature")) {
            ++cases;
            const std::string name = c.at("name");
            const ai::LabelledLogits l = logitsOf(c);
            const ai::TemperatureFit fit = ai::fitTemperature(l);
            QVERIFY2(near(fit.nllBefore, c.at("nllBefore"), 1e-9), name.c_str());
            if (name == "separated") {
                // No interior minimum: ours stops on the bound and says so; scipy's bounded
                // search stops near it too.
                QVERIFY(fit.atBound);
                QVERIFY(std::abs(fit.temperature - c.at("temperature").get<double>()) < 0.002);
                continue;
            }
            QVERIFY2(!fit.atBound, name.c_str());
            QVERIFY2(near(fit.temperature, c.at("temperature"), 1e-5),
                     (name + ": T " + std::to_string(fit.temperature) + " vs scipy " +
                      std::to_string(c.at("temperature").get<double>()))
                         .c_str());
            QVERIFY2(near(fit.nllAfter, c.at("nllAfter"), 1e-8), name.c_str());
            QVERIFY(fit.nllAfter < fit.nllBefore);
            for (const auto& [t, key] :
                 {std::pair{1.0, "eceBefore"}, {fit.temperature, "eceAfter"}}) {
                std::vector<std::vector<double>> p;
                for (const auto& z : l.logits)
                    p.push_back(ai::probabilitiesAt(z, t));
                QVERIFY2(near(ai::expectedCalibrationError(p, l.labels), c.at(key), 1e-6),
                         (name + " " + key).c_str());
            }
        }
        QCOMPARE(cases, 3);
    }

    void eceBinEdges() {
        // Bins are (lower, upper]: 1.0 is in the last bin, and a right answer at confidence 1
        // has no error.
        QCOMPARE(ai::expectedCalibrationError({{1.0, 0.0}}, {0}), 0.0);
        QVERIFY(near(ai::expectedCalibrationError({{0.6, 0.4}, {0.6, 0.4}}, {0, 1}), 0.1, 1e-12));
        QVERIFY_THROWS_EXCEPTION(Error, ai::fitTemperature({}));
    }

    void domainModelMatchesSklearn() {
        const json d = reference().at("domain");
        const int dims = d.at("dims"), classes = d.at("classes");
        std::vector<float> features;
        for (const auto& row : d.at("features"))
            for (double v : row)
                features.push_back(float(v));
        const auto m = ai::DomainModel::fit(features, dims, d.at("labels"), classes);
        QVERIFY2(near(m.shrinkage(), d.at("shrinkage"), 1e-9),
                 ("shrinkage " + std::to_string(m.shrinkage())).c_str());
        const auto& expected = d.at("scores");
        for (std::size_t i = 0; i < expected.size(); ++i) {
            std::vector<float> x;
            for (double v : d.at("new")[i])
                x.push_back(float(v));
            QVERIFY2(near(m.score(x.data()), expected[i], 1e-6),
                     ("score " + std::to_string(i) + ": " + std::to_string(m.score(x.data())) +
                      " vs " + std::to_string(expected[i].get<double>()))
                         .c_str());
        }
        // Saved and read back (domain.json + two .npy files): the same scores.
        QTemporaryDir dir;
        ai::DomainModel copy = m;
        copy.setThreshold({1, 2, 3}, 3);
        copy.save(dir.path().toStdString());
        const auto loaded = ai::DomainModel::load(dir.path().toStdString());
        QVERIFY(loaded.has_value());
        QCOMPARE(loaded->threshold(), 3.0);
        QVERIFY(!loaded->thresholdNote().empty()); // 3 samples cannot promise 95 %
        std::vector<float> x;
        for (double v : d.at("new")[0])
            x.push_back(float(v));
        QCOMPARE(loaded->score(x.data()), m.score(x.data()));
        QVERIFY(!ai::DomainModel::load(QDir::tempPath().toStdString() + "/no-such-folder"));
    }

    void thresholdOrderStatistic() {
        const json ref = reference();
        int checked = 0;
        for (const json& t : ref.at("thresholds")) {
            ai::DomainModel m = ai::DomainModel::fit({0, 0, 1, 0, 0, 1}, 2, {0, 0, 0}, 1);
            ++checked;
            m.setThreshold(t.at("scores"), t.at("groups"), 0.95, t.at("confidence"));
            QCOMPARE(m.threshold(), t.at("threshold").get<double>());
            QCOMPARE(!m.thresholdNote().empty(), t.at("tooFew").get<bool>());
        }
        QCOMPARE(checked, 4);
    }

    // The shape rule: a shape no training image had is out of domain whatever the score, and
    // the check says why; shapes inside the range are judged by the score alone.
    void aShapeNoTrainingImageHadIsOutOfDomain() {
        ai::DomainModel m = ai::DomainModel::fit({0, 0, 1, 0, 0, 1}, 2, {0, 0, 0}, 1);
        m.setThreshold({0.5, 1.0, 2.0}, 3, 0.5, 0.5);
        const float near[] = {0.3f, 0.3f};
        QVERIFY(m.check(near, 0.25).inDomain); // no range recorded: no shape rule
        m.setAspectRange(0.8, 1.0);
        for (double aspect : {0.8 / 1.25, 0.8, 1.0, 1.25})
            QVERIFY2(m.check(near, aspect).inDomain, qPrintable(QString::number(aspect)));
        const ai::DomainCheck tall = m.check(near, 0.25);
        QVERIFY(!tall.inDomain);
        QVERIFY2(tall.reason.find("0.25") != std::string::npos, tall.reason.c_str());
        QVERIFY(!m.check(near, 1.26).inDomain);
        const float far[] = {100.0f, -100.0f};
        QVERIFY(!m.check(far, 1.0).inDomain);
        QVERIFY(m.check(far, 1.0).reason.empty()); // the score said it
        // Saved and read back with its margin; a margin below 1 is refused.
        QTemporaryDir dir;
        m.save(dir.path().toStdString());
        const auto back = ai::DomainModel::load(dir.path().toStdString());
        QVERIFY(back && back->hasAspectRange());
        QVERIFY(!back->check(near, 0.25).inDomain);
        json j;
        std::ifstream(dir.filePath("domain.json").toStdString()) >> j;
        j["inputAspect"]["margin"] = 0.5;
        std::ofstream(dir.filePath("domain.json").toStdString()) << j.dump();
        QVERIFY_THROWS_EXCEPTION(Error, ai::DomainModel::load(dir.path().toStdString()));
    }

    void npyFromNumpy() {
        const json a = reference().at("npy");
        for (const char* file : {"f8.npy", "f4.npy"}) {
            const NpyMatrix m = readNpy(refDir() + "/" + file);
            QCOMPARE(m.rows, 3);
            QCOMPARE(m.cols, 5);
            for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 5; ++c)
                    QVERIFY(near(m.at(r, c), a[r][c], 1e-6));
        }
        const NpyMatrix v = readNpy(refDir() + "/vector.npy");
        QCOMPARE(v.rows, 1);
        QCOMPARE(v.cols, 5);
        for (const char* bad : {"int.npy", "fortran.npy", "trust.json"}) {
            try {
                readNpy(refDir() + "/" + bad);
                QFAIL(bad);
            } catch (const Error& e) {
                QVERIFY(e.subject().find(bad) != std::string::npos);
            }
        }
    }

    void probabilityText() {
        QCOMPARE(ai::probabilityText(0.99996), std::string("> 99.9%"));
        QCOMPARE(ai::probabilityText(1.0), std::string("> 99.9%"));
        QCOMPARE(ai::probabilityText(0.9994), std::string("99.9%"));
        QCOMPARE(ai::probabilityText(0.0), std::string("< 0.1%"));
        QCOMPARE(ai::probabilityText(0.5), std::string("50.0%"));
    }

    void shippedPackagesCarryTheirTrust() {
        for (const char* name : {"spine-xray-4class", "lumbar-mri-binary"}) {
            const auto p = ai::ModelPackage::load(shippedPackage(name));
            QVERIFY2(p->domain() != nullptr, name);
            QVERIFY(p->domain()->threshold() > 0);
            QVERIFY(!p->card().calibration.is_null());
        }
        const auto xray = ai::ModelPackage::load(shippedPackage("spine-xray-4class"));
        QVERIFY(xray->card().calibrated);
        QVERIFY(std::abs(xray->card().temperature - 1.0) > 0.05);
    }

    void damagedDomainModelsAreRefused() {
        QTemporaryDir dir;
        const fs::path copy = fs::path(dir.path().toStdString()) / "pkg";
        fs::copy(shippedPackage("lumbar-mri-binary"), copy, fs::copy_options::recursive);
        const auto expectRefusal = [&](const char* naming) {
            try {
                ai::ModelPackage::load(copy.string());
                QFAIL("a damaged domain model was accepted");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(naming) != std::string::npos, e.what());
            }
        };
        json j;
        std::ifstream(copy / "domain.json") >> j;
        const json good = j;
        j["featureDim"] = 64; // the arrays are 128 wide
        std::ofstream(copy / "domain.json") << j.dump();
        expectRefusal("domain.json");
        std::ofstream(copy / "domain.json") << "{ not json";
        expectRefusal("domain.json");
        std::ofstream(copy / "domain.json") << good.dump();
        fs::resize_file(copy / "domain-precision.npy", 1000);
        expectRefusal("domain-precision.npy");
        fs::remove(copy / "domain-precision.npy");
        expectRefusal("domain-precision.npy");
        // Without domain.json the package loads and says it has no domain check.
        fs::remove(copy / "domain.json");
        QVERIFY(ai::ModelPackage::load(copy.string())->domain() == nullptr);
    }
};

QTEST_GUILESS_MAIN(TestTrust)
#include "test_trust.moc"
