// Window/level, orientation letters and measurements: the numbers a reader relies on,
// checked against values worked out by hand (edge rows: NaN, zero width, degenerate angles).
#include "image/Measurement.h"
#include "image/Orientation.h"
#include "image/WindowLevel.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace spinelens;

class ImageMath : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void windowFunction_data() {
        QTest::addColumn<double>("value");
        QTest::addColumn<double>("center");
        QTest::addColumn<double>("width");
        QTest::addColumn<bool>("invert");
        QTest::addColumn<int>("expected");
        // DICOM PS3.3 C.11.2.1.2: y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255, clamped.
        QTest::newRow("centre") << 40.0 << 40.0 << 400.0 << false << 128;
        QTest::newRow("below window") << -500.0 << 40.0 << 400.0 << false << 0;
        QTest::newRow("above window") << 900.0 << 40.0 << 400.0 << false << 255;
        QTest::newRow("lower edge") << -159.5 << 40.0 << 400.0 << false << 0;
        QTest::newRow("quarter") << -60.0 << 40.0 << 400.0 << false << 64;
        QTest::newRow("width 1 threshold low") << 99.0 << 100.0 << 1.0 << false << 0;
        QTest::newRow("width 1 threshold high") << 100.0 << 100.0 << 1.0 << false << 255;
        QTest::newRow("MONOCHROME1 centre") << 40.0 << 40.0 << 400.0 << true << 127;
        QTest::newRow("MONOCHROME1 low is white") << -500.0 << 40.0 << 400.0 << true << 255;
        QTest::newRow("NaN shows black")
            << std::numeric_limits<double>::quiet_NaN() << 40.0 << 400.0 << false << 0;
    }
    void windowFunction() {
        QFETCH(double, value);
        QFETCH(double, center);
        QFETCH(double, width);
        QFETCH(bool, invert);
        QFETCH(int, expected);
        const float v = float(value);
        std::uint8_t out = 0;
        applyWindow(&v, 1, {center, width}, invert, &out);
        QCOMPARE(int(out), expected);
    }

    void autoWindowIgnoresNaNAndOutliers() {
        std::vector<float> v(10000);
        for (std::size_t i = 0; i < v.size(); ++i)
            v[i] = float(i % 1000); // 0..999 uniformly
        v[5] = std::numeric_limits<float>::quiet_NaN();
        v[6] = 1e9f; // one hot pixel must not stretch the window
        const Window w = autoWindow(v.data(), v.size());
        QVERIFY(w.center > 450 && w.center < 550);
        QVERIFY(w.width > 900 && w.width < 1100);
        const std::vector<float> flat(100, 7.0f);
        const Window f = autoWindow(flat.data(), flat.size());
        QVERIFY(f.width >= 1.0);
        const std::vector<float> allNaN(10, std::numeric_limits<float>::quiet_NaN());
        QVERIFY(autoWindow(allNaN.data(), allNaN.size()).width >= 1.0);
    }

    void orientationLetters_data() {
        QTest::addColumn<double>("x");
        QTest::addColumn<double>("y");
        QTest::addColumn<double>("z");
        QTest::addColumn<QString>("letters");
        QTest::newRow("+x left") << 1.0 << 0.0 << 0.0 << "L";
        QTest::newRow("-x right") << -1.0 << 0.0 << 0.0 << "R";
        QTest::newRow("+y posterior") << 0.0 << 1.0 << 0.0 << "P";
        QTest::newRow("-z feet") << 0.0 << 0.0 << -1.0 << "F";
        QTest::newRow("oblique") << 0.8 << -0.6 << 0.0 << "LA";
        QTest::newRow("slightly oblique") << 0.98 << 0.2 << 0.0 << "L";
        QTest::newRow("zero") << 0.0 << 0.0 << 0.0 << "";
    }
    void orientationLetters() {
        QFETCH(double, x);
        QFETCH(double, y);
        QFETCH(double, z);
        QFETCH(QString, letters);
        QCOMPARE(QString::fromStdString(spinelens::orientationLetters({x, y, z})), letters);
    }

    void sagittalEdges() {
        Geometry g;
        g.direction = {0, 1, 0, 0, 0, -1, -1, 0, 0}; // columns A->P, rows H->F
        g.directionKnown = true;
        const EdgeLetters e = edgeLetters(g);
        QCOMPARE(e.left, std::string("A"));
        QCOMPARE(e.right, std::string("P"));
        QCOMPARE(e.top, std::string("H"));
        QCOMPARE(e.bottom, std::string("F"));
        g.directionKnown = false; // X-ray PNG: no letters rather than guesses
        QCOMPARE(edgeLetters(g).left, std::string());
    }

    void measurements() {
        const Measurement d = measureDistance({0, 0}, {30, 40}, true);
        QCOMPARE(d.value, 50.0);
        QCOMPARE(QString::fromStdString(d.label()), QString("50.0 mm"));
        QCOMPARE(measureDistance({1, 1}, {1, 1}, false).label(), std::string("0.0 px"));
        QVERIFY(std::abs(measureAngle({10, 0}, {0, 0}, {0, 10}).value - 90.0) < 1e-9);
        QVERIFY(std::abs(measureAngle({10, 0}, {0, 0}, {-10, 0}).value - 180.0) < 1e-9);
        QVERIFY(std::abs(measureAngle({10, 0}, {0, 0}, {10, 1e-7}).value) < 1e-5);
        QCOMPARE(measureAngle({0, 0}, {0, 0}, {1, 1}).value, 0.0); // degenerate: no NaN
        QVERIFY(std::abs(measureAngle({1, 1}, {0, 0}, {1, 0}).value - 45.0) < 1e-9);
    }
};

QTEST_GUILESS_MAIN(ImageMath)
#include "test_image_math.moc"
