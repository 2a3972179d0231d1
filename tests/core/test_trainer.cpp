// The C++ trainer on a tiny synthetic set: one epoch lowers the training loss, the package it
// writes loads and classifies, its card says synthetic and not clinically validated, and bad
// inputs stop it with one message and nothing half-written.
#include "Error.h"
#include "ai/Classifier.h"
#include "ai/ModuleFile.h"
#include "ai/TorchModel.h"
#include "data/PhantomSets.h"
#include "train/Trainer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace spinelens;

namespace {
QString models() {
    return qEnvironmentVariable("SPINELENS_AI_TEST_DATA") + "/models";
}
} // namespace

class Trainer : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString data_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(!qEnvironmentVariable("SPINELENS_AI_TEST_DATA").isEmpty());
        data_ = dir_.path() + "/xray";
        phantom::writeXrayPhantomSet(data_.toStdString(), 120, 11);
    }

    void oneEpochLowersTheLossAndWritesALoadablePackage() {
        train::TrainOptions o;
        o.architecture = (models() + "/tiny-cnn-xray").toStdString();
        o.dataset = data_.toStdString();
        o.output = (dir_.path() + "/trained").toStdString();
        o.epochs = 1;
        o.batchSize = 8;
        o.learningRate = 1e-2;
        int progressCalls = 0;
        o.progress = [&](const train::TrainProgress& p) {
            ++progressCalls;
            QVERIFY(p.secondsLeft >= 0);
        };
        const train::TrainResult r = train::trainModel(o);
        qInfo("loss %.4f -> %.4f, %d/%d/%d images, %.0f images/s", r.initialTrainLoss,
              r.finalTrainLoss, r.trainSamples, r.valSamples, r.testSamples, r.imagesPerSecond);
        QVERIFY(r.finalTrainLoss < r.initialTrainLoss);
        QCOMPARE(r.trainSamples + r.valSamples + r.testSamples, 120);
        QVERIFY(progressCalls > 0);
        QCOMPARE(int(r.epochs.size()), 1);

        auto package = ai::ModelPackage::load(o.output);
        QVERIFY(package->card().synthetic);
        QVERIFY(!package->card().clinicallyValidated);
        QVERIFY(QString::fromStdString(package->card().intendedUse).contains("synthetic"));
        QVERIFY(package->supportsGradCam());
        std::vector<float> image(64 * 64, 10.0f);
        QCOMPARE(int(ai::Classifier(package).predict({image.data(), 64, 64}).probabilities.size()),
                 4);
        QVERIFY(QFile::exists(dir_.path() + "/trained/report/training.csv"));
        // The curves are drawn: a white image with the train (blue) and validation (red) lines.
        QImage curves(dir_.path() + "/trained/report/training.png");
        QCOMPARE(curves.size(), QSize(960, 320));
        int blue = 0, red = 0;
        for (int y = 0; y < curves.height(); ++y)
            for (int x = 0; x < curves.width(); ++x) {
                const QRgb c = curves.pixel(x, y);
                blue += c == qRgb(31, 119, 180);
                red += c == qRgb(214, 39, 40);
            }
        QVERIFY(blue > 20 && red > 20);
        QVERIFY(QFile::exists(dir_.path() + "/trained/report/README.md"));
        QVERIFY(!QDir(dir_.path() + "/trained.partial").exists());
    }

    // The shipped packages store big weights as int8 (ModuleFile.h): the file shrinks about
    // fourfold, C++ and Python (models/spinelens_package.py) read the same weights back, and
    // the outputs stay close to the float32 ones.
    void int8WeightsShrinkTheFileAndReadBackTheSameInCppAndPython() {
        const QString original = models() + "/mri-cnn-untrained/model.pt";
        const QString compact = dir_.path() + "/compact.pt";
        ai::compactModuleFile(original.toStdString(), compact.toStdString());
        const double ratio = double(QFileInfo(compact).size()) / QFileInfo(original).size();
        qInfo("int8 file is %.3f of the float32 file", ratio);
        QVERIFY(ratio < 0.3);

        std::vector<float> input(224 * 224);
        for (std::size_t i = 0; i < input.size(); ++i)
            input[i] = float((i * 7919) % 1000) / 1000.0f;
        int outputs = 0;
        const float full = ai::TorchModel::load(original.toStdString())
                               ->forward(input.data(), 1, 1, 224, 224, &outputs)[0];
        const float small = ai::TorchModel::load(compact.toStdString())
                                ->forward(input.data(), 1, 1, 224, 224, &outputs)[0];
        qInfo("logit float32 %.6f, int8 %.6f", full, small);
        QVERIFY(std::abs(full - small) < 0.02 * std::max(1.0f, std::abs(full)));

        // Python's reading of the compact file gives the C++ logit.
        QFile in(dir_.path() + "/input.raw");
        QVERIFY(in.open(QIODevice::WriteOnly));
        in.write(reinterpret_cast<const char*>(input.data()), qint64(input.size() * 4));
        in.close();
        QProcess python;
        python.setWorkingDirectory(QStringLiteral(SPINELENS_SOURCE_DIR) + "/models");
        python.start("/usr/bin/python3",
                     {"-c",
                      "import sys, numpy, torch; from spinelens_package import load_module; "
                      "m = load_module(sys.argv[1]); "
                      "x = torch.from_numpy(numpy.fromfile(sys.argv[2], dtype=numpy.float32))"
                      ".reshape(1, 1, 224, 224); "
                      "print(float(m(x)[0, 0]))",
                      compact, in.fileName()});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const float fromPython = python.readAllStandardOutput().trimmed().toFloat();
        QVERIFY2(std::abs(fromPython - small) < 1e-4f,
                 qPrintable(QString("python %1, C++ %2").arg(fromPython).arg(small)));
    }

    // An interrupted run continues from its per-epoch checkpoint (weights, Adam's state, epoch,
    // random states) and ends with the weights the uninterrupted run gives.
    void resumeGivesTheWeightsOfTheUninterruptedRun() {
        train::TrainOptions o;
        o.architecture = (models() + "/tiny-cnn-xray").toStdString();
        o.dataset = data_.toStdString();
        o.epochs = 3;
        o.batchSize = 8;
        o.learningRate = 1e-2;
        o.patience = 10;
        o.output = (dir_.path() + "/whole").toStdString();
        const train::TrainResult whole = train::trainModel(o);
        QVERIFY(!QDir(dir_.path() + "/whole.checkpoint").exists()); // finished: nothing to resume

        o.output = (dir_.path() + "/interrupted").toStdString();
        o.epochDone = [](const train::EpochStats& e) {
            if (e.epoch == 2)
                throw Error("interrupted after epoch 2 (test)");
        };
        QVERIFY_THROWS_EXCEPTION(Error, train::trainModel(o));
        QVERIFY(QFile::exists(dir_.path() + "/interrupted.checkpoint/state.json"));
        QVERIFY(!QDir(dir_.path() + "/interrupted").exists());

        // Another run's settings are refused, naming what differs.
        o.epochDone = nullptr;
        o.resume = true;
        o.seed = 2;
        try {
            train::trainModel(o);
            QFAIL("resumed a checkpoint of another run");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("seed") &&
                         QString(e.what()).contains("interrupted.checkpoint"),
                     e.what());
        }
        o.seed = 1;
        int epochsRun = 0;
        o.epochDone = [&](const train::EpochStats&) { ++epochsRun; };
        const train::TrainResult resumed = train::trainModel(o);
        QCOMPARE(epochsRun, 1); // only epoch 3 was left
        QCOMPARE(int(resumed.epochs.size()), 3);
        QCOMPARE(resumed.bestEpoch, whole.bestEpoch);
        QCOMPARE(resumed.initialTrainLoss, whole.initialTrainLoss);
        for (int k = 0; k < 3; ++k)
            QVERIFY2(std::abs(resumed.epochs[std::size_t(k)].valLoss -
                              whole.epochs[std::size_t(k)].valLoss) < 1e-6,
                     qPrintable(QString("epoch %1: val loss %2 resumed, %3 whole")
                                    .arg(k + 1)
                                    .arg(resumed.epochs[std::size_t(k)].valLoss)
                                    .arg(whole.epochs[std::size_t(k)].valLoss)));
        QCOMPARE(resumed.testAccuracy, whole.testAccuracy);
        // Same weights: the same logits for the same images.
        const ai::Classifier a(ai::ModelPackage::load(dir_.path().toStdString() + "/whole"));
        const ai::Classifier b(ai::ModelPackage::load(dir_.path().toStdString() + "/interrupted"));
        double worst = 0;
        for (int k = 0; k < 4; ++k) {
            std::vector<float> image(64 * 64);
            for (std::size_t i = 0; i < image.size(); ++i)
                image[i] = float((i * (k + 3) + i / 64 * 7) % 256);
            const auto la = a.predict({image.data(), 64, 64}).logits;
            const auto lb = b.predict({image.data(), 64, 64}).logits;
            for (std::size_t c = 0; c < la.size(); ++c)
                worst = std::max(worst, double(std::abs(la[c] - lb[c])));
        }
        QVERIFY2(worst < 1e-4, qPrintable(QString("logits differ by %1").arg(worst)));
        QVERIFY(!QDir(dir_.path() + "/interrupted.checkpoint").exists());

        // Nothing to resume: one message naming the checkpoint folder.
        o.output = (dir_.path() + "/fresh").toStdString();
        try {
            train::trainModel(o);
            QFAIL("resumed without a checkpoint");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("no checkpoint"), e.what());
        }
    }

    void badInputsStopWithOneMessage() {
        train::TrainOptions o;
        o.architecture = (models() + "/tiny-cnn-xray").toStdString();
        o.output = (dir_.path() + "/never").toStdString();
        o.epochs = 1;
        o.dataset = (dir_.path() + "/empty").toStdString();
        QDir().mkpath(dir_.path() + "/empty/normal");
        QVERIFY_THROWS_EXCEPTION(Error, train::trainModel(o));
        o.dataset = data_.toStdString();
        o.architecture = (models() + "/blob-corrupt").toStdString();
        try {
            train::trainModel(o);
            QFAIL("trained a corrupt module");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("blob-corrupt"));
        }
        QVERIFY(!QDir(dir_.path() + "/never").exists());

        // A learning rate that blows the weights up: training stops with a message naming
        // the loss and the learning rate, and writes nothing.
        o.architecture = (models() + "/tiny-cnn-xray").toStdString();
        o.learningRate = 1e30;
        o.epochs = 3;
        o.augment = false;
        try {
            train::trainModel(o);
            QFAIL("trained through a diverging loss");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("loss is") && QString(e.what()).contains("--lr"),
                     e.what());
        }
        QVERIFY(!QDir(dir_.path() + "/never").exists());
        QVERIFY(!QDir(dir_.path() + "/never.partial").exists());
    }
};

QTEST_GUILESS_MAIN(Trainer)
#include "test_trainer.moc"
