// The file's VOI reaches the screen and the model (issue 10, section 3). Inputs and references
// come from tests/reference/voi_reference.py: 12-bit DX files written by pydicom with a VOI LUT
// Sequence, a SIGMOID and a LINEAR_EXACT window, a MONOCHROME1 window and no VOI at all, each
// with the grey pydicom's own LUT code gives; DCMTK's dcm2pnm renders the same files as a
// second, independent reference. Then one phantom as an 8-bit PNG, a 16-bit PNG and a 12-bit
// MONOCHROME1 DX with rescale and window must give the shipped X-ray model the same
// probabilities.
#include "ai/Classifier.h"
#include "ai/ModelPackage.h"
#include "dicom/DicomHeader.h"
#include "dicom/FastHeader.h"
#include "raster/RasterIO.h"
#include "study/CaseImage.h"
#include "util/Npy.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>

using namespace spinelens;
using nlohmann::json;

namespace {

json manifest() {
    const std::string path =
        qEnvironmentVariable("SPINELENS_VOI_REF").toStdString() + "/manifest.json";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("no reference: run voi_reference.py (CTest fixture)");
    return json::parse(in);
}

std::vector<std::uint8_t> modelGrey(const CaseImage& image) {
    std::vector<std::uint8_t> grey(image.pixels.size());
    modelGrey8(image.pixels.data(), grey.size(), image.display, grey.data());
    return grey;
}

// DCMTK's rendering of the file's own VOI: +Wl 1 (first VOI LUT), +Wi 1 (first window, with
// the file's VOI LUT Function), +Wm (min-max) when a file of more than 8 bits has none, and
// no windowing (the stored range) for one of at most 8 bits.
raster::RasterImage dcmtkGrey(const std::string& dicom, const DisplayDefaults& d,
                              const QString& outPng) {
    const QString tool = QStandardPaths::findExecutable("dcm2pnm");
    if (tool.isEmpty())
        throw std::runtime_error("dcm2pnm (Debian package dcmtk) is not installed");
    QStringList args{"--write-png"};
    if (d.hasLut())
        args << "+Wl"
             << "1";
    else if (d.hasWindow)
        args << "+Wi"
             << "1";
    else if (d.bitsStored > 8)
        args << "+Wm";
    args << QString::fromStdString(dicom) << outPng;
    QProcess p;
    p.start(tool, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0)
        throw std::runtime_error("dcm2pnm failed on " + dicom + ": " +
                                 p.readAllStandardError().toStdString());
    return raster::read(outPng.toStdString());
}

double maxDifference(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        worst = std::max(worst, double(std::abs(a[i] - b[i])));
    return worst;
}

} // namespace

class TestVoi : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void headerReadersAgreeOnTheVoi() {
        const json m = manifest();
        for (const json& f : m.at("files")) {
            const std::string path = f.at("dicom");
            const std::string name = f.at("name");
            const dicom::FileHeader viaDcmtk = dicom::readHeaderWithDcmtk(path);
            const dicom::FileHeader viaReader = dicom::readHeader(path);
            const DisplayDefaults &a = viaDcmtk.series.display, &b = viaReader.series.display;
            QVERIFY2(a.bitsStored == b.bitsStored && a.bitsStored > 0, name.c_str());
            QCOMPARE(int(a.function), int(b.function));
            QCOMPARE(a.hasWindow, b.hasWindow);
            QCOMPARE(a.windowCenter, b.windowCenter);
            QCOMPARE(a.windowWidth, b.windowWidth);
            QCOMPARE(a.invert, b.invert);
            QCOMPARE(a.hasLut(), b.hasLut());
            if (a.hasLut()) {
                QCOMPARE(a.lut->firstMapped, b.lut->firstMapped);
                QCOMPARE(a.lut->bits, b.lut->bits);
                QVERIFY(a.lut->data == b.lut->data);
            }
            if (name.rfind("lut", 0) == 0 || name == "voi_lut")
                QVERIFY2(a.hasLut() && a.hasNonLinearVoi(), name.c_str());
            if (name == "voi_lut") {
                QCOMPARE(a.lut->data.size(), std::size_t(3000));
                QCOMPARE(a.lut->firstMapped, 500);
                QCOMPARE(a.lut->bits, 12);
            }
            if (name == "lut_65536")
                QCOMPARE(a.lut->data.size(), std::size_t(65536)); // descriptor 0
            if (name == "lut_signed")
                QCOMPARE(a.lut->firstMapped, -1500); // SS descriptor, signed pixels
            if (name == "lut_packed8") {
                QCOMPARE(a.lut->data.size(), std::size_t(4096)); // two entries a word
                QCOMPARE(int(a.lut->data.back()), 255);
            }
            if (name == "lut_and_window")
                QVERIFY(a.hasWindow);
            if (name == "sigmoid")
                QCOMPARE(int(a.function), int(VoiFunction::Sigmoid));
            if (name == "linear_exact")
                QCOMPARE(int(a.function), int(VoiFunction::LinearExact));
            if (name == "no_voi" || name == "linear_mono1" || name == "six_bit")
                QVERIFY(!a.hasNonLinearVoi());
        }
    }

    // What a divide255 model is given equals pydicom's presentation and DCMTK's rendering.
    void modelGreyMatchesPydicomAndDcmtk() {
        const json m = manifest();
        int checked = 0, againstPydicom = 0, againstDcmtk = 0;
        for (const json& f : m.at("files")) {
            const std::string name = f.at("name");
            const CaseImage image = loadCaseImage(f.at("dicom"));
            const std::vector<std::uint8_t> ours = modelGrey(image);
            if (!f.at("reference").is_null()) {
                const NpyMatrix ref = readNpy(f.at("reference"));
                QCOMPARE(std::size_t(ref.rows * ref.cols), ours.size());
                double worstPydicom = 0;
                for (std::size_t i = 0; i < ours.size(); ++i)
                    worstPydicom = std::max(worstPydicom, std::abs(ours[i] - ref.values[i]));
                QVERIFY2(worstPydicom <= 1.0, qPrintable(QString("%1: %2 grey levels from pydicom")
                                                             .arg(QString::fromStdString(name))
                                                             .arg(worstPydicom)));
                ++againstPydicom;
            }
            if (f.at("dcmtk").get<bool>()) {
                const raster::RasterImage dcmtk =
                    dcmtkGrey(f.at("dicom"), image.display,
                              tmp_.filePath(QString::fromStdString(name) + ".png"));
                QCOMPARE(dcmtk.pixels.size(), ours.size());
                std::vector<float> oursF(ours.begin(), ours.end());
                const double worstDcmtk = maxDifference(oursF, dcmtk.pixels);
                QVERIFY2(worstDcmtk <= 1.0, qPrintable(QString("%1: %2 grey levels from DCMTK")
                                                           .arg(QString::fromStdString(name))
                                                           .arg(worstDcmtk)));
                ++againstDcmtk;
            }
            // The curves differ from one another: a reader that ignored the VOI would fail.
            if (f.at("blocks").get<bool>()) {
                std::set<int> levels(ours.begin(), ours.end());
                QVERIFY2(levels.size() >= 8, qPrintable(QString::fromStdString(name)));
            }
            ++checked;
        }
        QCOMPARE(checked, 13);
        QCOMPARE(againstPydicom, 12); // all but the packed LUT, which pydicom does not unpack
        QCOMPARE(againstDcmtk, 12);   // all but six_bit (see voi_reference.py)
    }

    // The acceptance test of section 3: one phantom, three encodings, one answer.
    void pngAndTwelveBitMonochrome1GiveTheSameProbabilities() {
        const json m = manifest();
        const auto package =
            ai::ModelPackage::load(std::string(SPINELENS_SOURCE_DIR) + "/models/spine-xray-4class");
        QCOMPARE(package->card().preprocessing.intensity, std::string("divide255"));
        const ai::Classifier classifier(package);
        auto predict = [&](const CaseImage& s, bool withDisplay) {
            return classifier.predict(
                {s.pixels.data(), s.width, s.height, withDisplay ? &s.display : nullptr});
        };
        const CaseImage png8 = loadCaseImage(m.at("png8"));
        const CaseImage png16 = loadCaseImage(m.at("png16"));
        const CaseImage dx = loadCaseImage(m.at("phantom_dicom"));
        QCOMPARE(png16.display.bitsStored, 16);
        QVERIFY(dx.display.invert);
        const ai::Prediction reference = predict(png8, true);
        for (const auto* other : {&png16, &dx}) {
            const ai::Prediction p = predict(*other, true);
            for (std::size_t c = 0; c < reference.probabilities.size(); ++c)
                QVERIFY2(std::abs(p.probabilities[c] - reference.probabilities[c]) < 1e-3,
                         qPrintable(QString("class %1: %2 vs %3 (PNG)")
                                        .arg(c)
                                        .arg(p.probabilities[c])
                                        .arg(reference.probabilities[c])));
            QCOMPARE(p.domain.inDomain, reference.domain.inDomain);
        }
        // Without the file's presentation the DICOM is another image to the model (raw 12-bit
        // values divided by 255): the comparison above can fail.
        const ai::Prediction raw = predict(dx, false);
        double largest = 0;
        for (std::size_t c = 0; c < raw.probabilities.size(); ++c)
            largest = std::max(largest,
                               double(std::abs(raw.probabilities[c] - reference.probabilities[c])));
        QVERIFY2(largest > 0.05 || raw.domain.score > 2 * reference.domain.score,
                 qPrintable(QString("raw values changed nothing (%1)").arg(largest)));
    }

    // Values the VOI functions must give at known points (PS3.3 C.11.2.1.2-3).
    void voiFunctionsAtKnownPoints() {
        const float x[] = {1000.0f, 2000.0f, 3000.0f};
        std::uint8_t out[3];
        applyVoiFunction(x, 3, {2000.0, 1500.0}, VoiFunction::Sigmoid, false, out);
        QCOMPARE(int(out[1]), 128); // 255 / 2 at the centre
        QCOMPARE(int(out[0]), int(std::lround(255.0 / (1.0 + std::exp(4.0 * 1000 / 1500)))));
        applyVoiFunction(x, 3, {2000.0, 2000.0}, VoiFunction::LinearExact, true, out);
        QCOMPARE(int(out[0]), 255); // x = c - w/2 is the bottom, inverted
        QCOMPARE(int(out[1]), 127); // 255 - round(127.5)
        VoiLut lut;
        lut.firstMapped = 1500;
        lut.bits = 8;
        lut.data = {0, 100, 255};
        const float y[] = {-5.0f, 1501.0f, 1501.4f, 99999.0f};
        std::uint8_t lo[4];
        applyVoiLut(y, 4, lut, false, lo);
        QCOMPARE(int(lo[0]), 0);
        QCOMPARE(int(lo[1]), 100);
        QCOMPARE(int(lo[2]), 100);
        QCOMPARE(int(lo[3]), 255);
    }
};

QTEST_GUILESS_MAIN(TestVoi)
#include "test_voi.moc"
