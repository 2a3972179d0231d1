// Inference and explanations against an independent Python implementation (Debian's
// python3-torch, same TorchScript module, preprocessing and Grad-CAM formulas written again in
// Python), a faithfulness sanity check on a model whose evidence is known, and bad models.
#include "Error.h"
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "ai/TensorMemory.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace spinelens;

namespace {
QString root() {
    return qEnvironmentVariable("SPINELENS_AI_TEST_DATA");
}
QString modelDir(const QString& name) {
    return root() + "/models/" + name;
}

std::shared_ptr<Volume> loadImage(const std::string& path) {
    const ScanResult scan = spinelens::scan({path});
    if (scan.series.size() != 1)
        throw Error("expected one image", path);
    return loadSeries(scan.series[0]);
}

QJsonArray reference(const QString& model) {
    QFile f(root() + "/reference-" + model + ".json");
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).array();
}

double maxAbs(const QJsonArray& a) {
    double m = 0;
    for (const auto& v : a)
        m = std::max(m, std::abs(v.toDouble()));
    return m;
}
} // namespace

class AiVsTorch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY2(!root().isEmpty(), "SPINELENS_AI_TEST_DATA is not set"); }

    void matchesPython_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("MRI study CNN (sigmoid)") << "mri-cnn-untrained";
        QTest::newRow("ResNet-18, 4 classes (softmax)") << "resnet18-xray-untrained";
        QTest::newRow("hand-made blob model") << "blob";
    }

    void matchesPython() {
        QFETCH(QString, model);
        const QJsonArray ref = reference(model);
        QVERIFY(!ref.isEmpty());
        auto package = ai::ModelPackage::load(modelDir(model).toStdString());
        const ai::Classifier classifier(package);
        for (const auto& v : ref) {
            const QJsonObject e = v.toObject();
            auto volume = loadImage(e.value("path").toString().toStdString());
            const ai::GreyImage image{volume->slice(0), volume->width, volume->height};
            const ai::Prediction p = classifier.predict(image);
            const QJsonArray probs = e.value("probabilities").toArray();
            QCOMPARE(int(p.probabilities.size()), probs.size());
            for (int c = 0; c < probs.size(); ++c)
                QVERIFY2(std::abs(p.probabilities[std::size_t(c)] - probs[c].toDouble()) < 1e-5,
                         qPrintable(QString("class %1: %2 vs %3")
                                        .arg(c)
                                        .arg(p.probabilities[std::size_t(c)])
                                        .arg(probs[c].toDouble())));
            QCOMPARE(p.predicted, e.value("predicted").toInt());

            for (const auto& camValue : e.value("cams").toArray()) {
                const QJsonObject cam = camValue.toObject();
                const int cls = cam.value("class").toInt();
                for (const char* method : {"gradcam", "gradcam++"}) {
                    const ai::Heatmap h =
                        ai::explain(*package, ai::explainMethodFromName(method), image, cls);
                    const QJsonArray expected = cam.value(method).toArray();
                    QCOMPARE(h.rawHeight, cam.value("height").toInt());
                    QCOMPARE(h.rawWidth, cam.value("width").toInt());
                    QCOMPARE(int(h.raw.size()), expected.size());
                    const double scale = std::max(1e-12, maxAbs(expected));
                    double worst = 0;
                    for (int i = 0; i < expected.size(); ++i)
                        worst = std::max(worst,
                                         std::abs(h.raw[std::size_t(i)] - expected[i].toDouble()) /
                                             scale);
                    QVERIFY2(worst <= 1e-4,
                             qPrintable(QString("%1 class %2: relative difference %3")
                                            .arg(method)
                                            .arg(cls)
                                            .arg(worst)));
                }
            }
        }
    }

    void heatmapPeaksWhereTheEvidenceIs_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("gradcam") << "gradcam";
        QTest::newRow("gradcam++") << "gradcam++";
        QTest::newRow("occlusion") << "occlusion";
    }

    void heatmapPeaksWhereTheEvidenceIs() {
        QFETCH(QString, method);
        auto package = ai::ModelPackage::load(modelDir("blob").toStdString());
        auto volume = loadImage((root() + "/models/blob.png").toStdString());
        const ai::GreyImage image{volume->slice(0), volume->width, volume->height};
        const ai::Heatmap h =
            ai::explain(*package, ai::explainMethodFromName(method.toStdString()), image, 0);
        QCOMPARE(h.width, 300);
        QCOMPARE(h.height, 300);
        const auto peak = std::max_element(h.values.begin(), h.values.end()) - h.values.begin();
        const int x = int(peak % 300), y = int(peak / 300);
        // The bright square: columns 200-229, rows 40-69 (a few pixels of blur allowed).
        QVERIFY2(x >= 195 && x <= 234 && y >= 35 && y <= 74,
                 qPrintable(QString("peak at %1,%2").arg(x).arg(y)));
        // Far from the square there is no evidence.
        QVERIFY(h.values[std::size_t(250) * 300 + 50] < 0.05f);
        // Deterministic: the same call gives the same map.
        const ai::Heatmap again =
            ai::explain(*package, ai::explainMethodFromName(method.toStdString()), image, 0);
        QVERIFY(again.values == h.values);
    }

    void badModelsGiveOneClearMessage_data() {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("expected");
        QTest::newRow("card does not match module")
            << "blob-wrong-card"
            << "produces 2 output(s) but model.json lists 3";
        QTest::newRow("corrupt model.pt") << "blob-corrupt"
                                          << "not a loadable TorchScript";
        QTest::newRow("missing model.pt") << "blob-missing"
                                          << "model file is missing";
        QTest::newRow("not a folder") << "does-not-exist"
                                      << "not a model package folder";
    }

    void badModelsGiveOneClearMessage() {
        QFETCH(QString, folder);
        QFETCH(QString, expected);
        try {
            ai::ModelPackage::load(modelDir(folder).toStdString());
            QFAIL("bad model loaded");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
            QVERIFY2(QString(e.what()).contains(folder), e.what()); // names the thing at fault
        }
    }

    void modelWithoutContractStillClassifiesAndOffersOcclusion() {
        auto package = ai::ModelPackage::load(modelDir("blob-no-contract").toStdString());
        QVERIFY(!package->supportsGradCam());
        auto volume = loadImage((root() + "/models/blob.png").toStdString());
        const ai::GreyImage image{volume->slice(0), volume->width, volume->height};
        QCOMPARE(ai::Classifier(package).predict(image).predicted, 0);
        QVERIFY_THROWS_EXCEPTION(Error,
                                 ai::explain(*package, ai::ExplainMethod::GradCam, image, 0));
        const ai::Heatmap h = ai::explain(*package, ai::ExplainMethod::Occlusion, image, 0);
        QVERIFY(h.maximum > 0);
    }

    void imagesTheModelCannotTake() {
        auto package = ai::ModelPackage::load(modelDir("blob").toStdString());
        const ai::Classifier classifier(package);
        const float one = 5.0f;
        try {
            classifier.predict({&one, 1, 1});
            QFAIL("1 x 1 image accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("too small"), e.what());
        }
        std::vector<float> withNaN(64 * 64, 1.0f);
        withNaN[100] = std::numeric_limits<float>::quiet_NaN();
        try {
            classifier.predict({withNaN.data(), 64, 64});
            QFAIL("NaN image accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("NaN"), e.what());
        }
        // The package keeps working after refusing bad input.
        std::vector<float> fine(64 * 64, 1.0f);
        QCOMPARE(int(classifier.predict({fine.data(), 64, 64}).probabilities.size()), 2);
    }

    void seriesScoresAreMaxAndMeanOverSlices() {
        auto package = ai::ModelPackage::load(modelDir("blob").toStdString());
        Volume v;
        v.width = v.height = 32;
        v.depth = 3;
        v.voxels.assign(v.sliceSize() * 3, 0.0f);
        for (int k = 0; k < 3; ++k)
            for (int i = 0; i < 32 * 8 * (k + 1); ++i)
                v.slice(k)[i] = 100.0f; // more bright rows in later slices
        const ai::SeriesPrediction s = ai::Classifier(package).predictSeries(v, nullptr, 2);
        QCOMPARE(int(s.slices.size()), 3);
        float mx = 0, mean = 0;
        for (const auto& p : s.slices) {
            mx = std::max(mx, p.probabilities[0]);
            mean += p.probabilities[0] / 3;
        }
        QCOMPARE(s.maxProbability[0], mx);
        QVERIFY(std::abs(s.meanProbability[0] - mean) < 1e-6);
    }

    // Tensor memory is kept between inferences (ai/TensorMemory.h): the second pass over a
    // series takes all its large blocks from the cache, none from the system, and answers
    // exactly as the first (a block handed out while still in use would change them).
    void tensorMemoryIsReusedAndAnswersStayTheSame() {
        auto package = ai::ModelPackage::load(modelDir("resnet18-xray-untrained").toStdString());
        Volume v;
        v.width = v.height = 256;
        v.depth = 6;
        v.voxels.resize(v.sliceSize() * 6);
        for (std::size_t i = 0; i < v.voxels.size(); ++i)
            v.voxels[i] = float((i * 2654435761u) % 4096);
        const ai::Classifier classifier(package);
        const ai::SeriesPrediction first = classifier.predictSeries(v, nullptr, 3);
        const ai::TensorMemoryStats before = ai::tensorMemoryStats();
        const ai::SeriesPrediction second = classifier.predictSeries(v, nullptr, 3);
        const ai::TensorMemoryStats after = ai::tensorMemoryStats();
        QVERIFY2(after.reuses > before.reuses, "no tensor block was reused");
        QCOMPARE(after.misses, before.misses);
        QVERIFY(after.cachedBytes > 0 && after.cachedBytes <= ai::kTensorCacheLimitBytes);
        QCOMPARE(int(second.slices.size()), 6);
        for (std::size_t k = 0; k < second.slices.size(); ++k)
            QVERIFY(second.slices[k].probabilities == first.slices[k].probabilities);
    }
};

QTEST_GUILESS_MAIN(AiVsTorch)
#include "test_ai_vs_torch.moc"
