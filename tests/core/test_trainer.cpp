// The C++ trainer on a tiny synthetic set: one epoch lowers the training loss, the package it
// writes loads and classifies, its card says synthetic and not clinically validated, and bad
// inputs stop it with one message and nothing half-written.
#include "Error.h"
#include "ai/Classifier.h"
#include "data/PhantomSets.h"
#include "train/Trainer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
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
        QVERIFY(!QDir(dir_.path() + "/trained.partial").exists());
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
    }
};

QTEST_GUILESS_MAIN(Trainer)
#include "test_trainer.moc"
