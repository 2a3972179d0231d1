// Every DICOM file that Debian's pydicom ships: where pydicom decodes it, our modality values
// must equal pydicom's; where pydicom refuses it, we must refuse it with a clear message or
// decode it (DCMTK/GDCM cover syntaxes pydicom's handlers lack) -- never crash.
#include "Error.h"
#include "dicom/DicomDecoder.h"
#include "study/Scanner.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace spinelens;

namespace {
// The image attributes of a 12-of-16-bit greyscale object built inside a test.
void putGrey12(DcmDataset& ds, int rows, int cols, bool isSigned, const char* sopInstanceUid) {
    ds.putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
    ds.putAndInsertString(DCM_SOPInstanceUID, sopInstanceUid);
    ds.putAndInsertUint16(DCM_Rows, Uint16(rows));
    ds.putAndInsertUint16(DCM_Columns, Uint16(cols));
    ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds.putAndInsertUint16(DCM_BitsAllocated, 16);
    ds.putAndInsertUint16(DCM_BitsStored, 12);
    ds.putAndInsertUint16(DCM_HighBit, 11);
    ds.putAndInsertUint16(DCM_PixelRepresentation, isSigned ? 1 : 0);
}
} // namespace

class DicomVsPydicom : public QObject {
    Q_OBJECT
private:
    QString refDir() const { return qEnvironmentVariable("SPINELENS_PYDICOM_REF"); }
    QJsonArray files() const {
        QFile f(refDir() + "/manifest.json");
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object().value("files").toArray();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(!refDir().isEmpty(), "SPINELENS_PYDICOM_REF is not set");
        QVERIFY2(files().size() >= 60, "pydicom reference manifest missing or too small");
    }

    void decodesLikePydicom_data() {
        QTest::addColumn<QJsonObject>("entry");
        for (const auto& v : files()) {
            const QJsonObject e = v.toObject();
            QTest::newRow(e.value("name").toString().toUtf8().constData()) << e;
        }
    }

    void decodesLikePydicom() {
        QFETCH(QJsonObject, entry);
        const std::string path = entry.value("path").toString().toStdString();
        const QString status = entry.value("status").toString();
        const QString name = entry.value("name").toString();

        dicom::DecodedFrames ours;
        QString ourError;
        try {
            ours = dicom::decodeFile(path);
        } catch (const Error& e) {
            ourError = QString::fromStdString(e.what());
            // One clear message that names the file.
            QVERIFY2(ourError.contains(name),
                     qPrintable("message does not name the file: " + ourError));
        }

        if (status == "nopixels") {
            QVERIFY2(!ourError.isEmpty(), "decoded a file that has no pixel data");
            QVERIFY2(ourError.contains("no pixel data") || ourError.contains("not a"),
                     qPrintable(ourError));
            return;
        }
        if (status != "ok") {
            const QString reason = entry.value("reason").toString();
            if (reason.contains("doesn't match the expected length"))
                QVERIFY2(ourError.contains("truncated"),
                         qPrintable("truncated file accepted: " + ourError));
            if (ourError.isEmpty())
                qInfo("%s: pydicom cannot decode (%s); we decode it with %s (not compared)",
                      qPrintable(name), qPrintable(reason.left(60)), ours.decoder.c_str());
            else
                qInfo("%s: refused cleanly: %s", qPrintable(name), qPrintable(ourError));
            return;
        }

        if (name == "SC_rgb_jpeg.dcm")
            QEXPECT_FAIL("",
                         "meta header says explicit VR, dataset is implicit VR: DCMTK stops "
                         "reading; pydicom guesses. Known gap, refused with a clear message.",
                         Abort);
        QVERIFY2(ourError.isEmpty(),
                 qPrintable("pydicom decodes this file but we do not: " + ourError));
        QCOMPARE(ours.frames, entry.value("frames").toInt());
        QCOMPARE(ours.rows, entry.value("rows").toInt());
        QCOMPARE(ours.columns, entry.value("columns").toInt());

        QFile ref(refDir() + "/" + name + ".f32");
        QVERIFY(ref.open(QIODevice::ReadOnly));
        const QByteArray bytes = ref.readAll();
        QCOMPARE(std::size_t(bytes.size()), ours.pixels.size() * sizeof(float));
        qInfo("%s: decoded by %s", qPrintable(name), ours.decoder.c_str());
        const float* expected = reinterpret_cast<const float*>(bytes.constData());

        double maxDiff = 0.0, sumDiff = 0.0, maxAbs = 1.0;
        std::size_t worst = 0;
        for (std::size_t i = 0; i < ours.pixels.size(); ++i) {
            const double d = std::abs(double(ours.pixels[i]) - double(expected[i]));
            sumDiff += d;
            maxAbs = std::max(maxAbs, std::abs(double(expected[i])));
            if (d > maxDiff) {
                maxDiff = d;
                worst = i;
            }
        }
        const double meanDiff = sumDiff / double(ours.pixels.size());
        if (entry.value("lossy").toBool()) {
            // Lossy JPEG: the standard lets decoders' inverse DCTs differ by a few levels
            // (DCMTK's IJG code vs Pillow's libjpeg-turbo). Mean must stay well under 1 level.
            QVERIFY2(
                meanDiff < 1.0 && maxDiff <= 12.0,
                qPrintable(QString("lossy mismatch: mean %1 max %2").arg(meanDiff).arg(maxDiff)));
        } else if (entry.value("ybr").toBool()) {
            // YCbCr -> RGB rounds to integers in both DCMTK and pydicom, by formulas that
            // differ in the last bit: luma may differ by at most one level.
            QVERIFY2(
                meanDiff < 0.5 && maxDiff <= 1.01,
                qPrintable(QString("YBR mismatch: mean %1 max %2").arg(meanDiff).arg(maxDiff)));
        } else {
            // Lossless: identical up to float rounding of non-integer rescale slopes, and
            // half a level for colour-to-grey of values pydicom keeps as integers.
            const double tolerance = 1e-5 * maxAbs + 1e-3;
            QVERIFY2(maxDiff <= tolerance,
                     qPrintable(QString("pixel %1: ours %2, pydicom %3 (max diff %4)")
                                    .arg(worst)
                                    .arg(ours.pixels[worst])
                                    .arg(expected[worst])
                                    .arg(maxDiff)));
        }
    }

    void bitsStoredBelowBitsAllocated_data() {
        QTest::addColumn<bool>("isSigned");
        QTest::newRow("signed 12 of 16") << true;
        QTest::newRow("unsigned 12 of 16") << false;
    }

    // None of pydicom's uncompressed files stores fewer bits than it allocates, so build one:
    // 12 stored bits with junk (old overlay bits) above them, values known by construction.
    void bitsStoredBelowBitsAllocated() {
        QFETCH(bool, isSigned);
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/12bit.dcm").toStdString();
        const int rows = 4, cols = 8;
        std::vector<Uint16> words(rows * cols);
        std::vector<float> expected(words.size());
        for (std::size_t i = 0; i < words.size(); ++i) {
            const int v = isSigned ? int(i) * 131 % 4096 - 2048 : int(i) * 131 % 4096;
            expected[i] = float(v * 2 - 100); // slope 2, intercept -100
            words[i] = Uint16((v & 0x0FFF) | 0xA000);
        }
        DcmFileFormat ff;
        DcmDataset& ds = *ff.getDataset();
        putGrey12(ds, rows, cols, isSigned, "1.2.3.4.12");
        ds.putAndInsertString(DCM_RescaleSlope, "2");
        ds.putAndInsertString(DCM_RescaleIntercept, "-100");
        ds.putAndInsertUint16Array(DCM_PixelData, words.data(), words.size());
        QVERIFY(ff.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
        const dicom::DecodedFrames ours = dicom::decodeFile(path);
        QCOMPARE(ours.decoder, std::string("dcmtk-native"));
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(ours.pixels[i], expected[i]);
    }

    // A Modality LUT Sequence instead of rescale: out = LUT[stored]. None in pydicom's set.
    void modalityLutSequenceIsApplied() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/lut.dcm").toStdString();
        const int rows = 2, cols = 16;
        std::vector<Uint16> words(rows * cols);
        for (std::size_t i = 0; i < words.size(); ++i)
            words[i] = Uint16(i * 97 % 4096);
        std::vector<Uint16> lut(4096);
        for (std::size_t i = 0; i < lut.size(); ++i)
            lut[i] = Uint16(3 * i + 5);
        DcmFileFormat ff;
        DcmDataset& ds = *ff.getDataset();
        putGrey12(ds, rows, cols, false, "1.2.3.4.13");
        DcmItem* item = nullptr;
        QVERIFY(ds.findOrCreateSequenceItem(DCM_ModalityLUTSequence, item).good());
        const Uint16 descriptor[3] = {0 /* 4096 entries */, 0, 16};
        item->putAndInsertUint16Array(DCM_LUTDescriptor, descriptor, 3);
        item->putAndInsertString(DCM_ModalityLUTType, "US");
        item->putAndInsertUint16Array(DCM_LUTData, lut.data(), lut.size());
        ds.putAndInsertUint16Array(DCM_PixelData, words.data(), words.size());
        QVERIFY(ff.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
        const dicom::DecodedFrames ours = dicom::decodeFile(path);
        QCOMPARE(ours.decoder, std::string("dcmtk"));
        for (std::size_t i = 0; i < words.size(); ++i)
            QCOMPARE(ours.pixels[i], float(3 * words[i] + 5));
    }

    void folderScanKeepsGoodFiles() {
        // Scanning pydicom's whole test folder: broken files are listed with reasons, every
        // file pydicom decodes lands in some series.
        const QString folder =
            QFileInfo(files().first().toObject().value("path").toString()).absolutePath();
        const ScanResult scan = spinelens::scan({folder.toStdString()});
        std::set<std::string> inSeries;
        for (const auto& s : scan.series)
            for (const auto& sl : s.slices)
                inSeries.insert(sl.path);
        for (const auto& v : files()) {
            const QJsonObject e = v.toObject();
            if (e.value("status").toString() == "ok" &&
                e.value("name").toString() != "SC_rgb_jpeg.dcm")
                QVERIFY2(inSeries.count(e.value("path").toString().toStdString()),
                         qPrintable(e.value("name").toString() + " missing from the scan"));
        }
        for (const auto& f : scan.failures)
            QVERIFY2(!f.reason.empty(), f.path.c_str());
    }
};

QTEST_GUILESS_MAIN(DicomVsPydicom)
#include "test_dicom_vs_pydicom.moc"
