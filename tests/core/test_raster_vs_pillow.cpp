// PNG and JPEG X-rays decoded by SpineLens against Pillow's own decoding of the same files:
// 8/16-bit grey exactly, colour as BT.601 luma, a 2000 x 3000 scanner-size JPEG, and a
// truncated PNG refused cleanly.
#include "Error.h"
#include "raster/RasterIO.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>

using namespace spinelens;

class RasterVsPillow : public QObject {
    Q_OBJECT
    QString ref() const { return qEnvironmentVariable("SPINELENS_RASTER_REF"); }

private Q_SLOTS:
    void decodesLikePillow_data() {
        QTest::addColumn<QJsonObject>("entry");
        QFile f(ref() + "/manifest.json");
        QVERIFY(f.open(QIODevice::ReadOnly));
        for (const auto& v : QJsonDocument::fromJson(f.readAll()).array())
            QTest::newRow(v.toObject().value("name").toString().toUtf8().constData())
                << v.toObject();
    }

    void decodesLikePillow() {
        QFETCH(QJsonObject, entry);
        const QString name = entry.value("name").toString();
        const raster::RasterImage img = raster::read((ref() + "/" + name).toStdString());
        QCOMPARE(img.width, entry.value("width").toInt());
        QCOMPARE(img.height, entry.value("height").toInt());
        QFile f(ref() + "/" + name + ".f32");
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QCOMPARE(std::size_t(bytes.size()), img.pixels.size() * sizeof(float));
        const float* expected = reinterpret_cast<const float*>(bytes.constData());
        double maxDiff = 0;
        for (std::size_t i = 0; i < img.pixels.size(); ++i)
            maxDiff = std::max(maxDiff, std::abs(double(img.pixels[i]) - expected[i]));
        // Same libjpeg-turbo and zlib underneath; only float rounding of luma may differ.
        QVERIFY2(maxDiff < 1e-3, qPrintable(QString("max difference %1").arg(maxDiff)));
        if (name == "grey16.png")
            QCOMPARE(img.bitDepth, 16);
    }

    void truncatedPngIsRefused() {
        const std::string path = (ref() + "/truncated.png").toStdString();
        try {
            raster::read(path);
            QFAIL("truncated PNG decoded");
        } catch (const Error& e) {
            QCOMPARE(e.subject(), path);
            QVERIFY(QString(e.what()).contains("PNG"));
        }
    }
};

QTEST_GUILESS_MAIN(RasterVsPillow)
#include "test_raster_vs_pillow.moc"
