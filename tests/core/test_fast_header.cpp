// The fast header reader must agree with DCMTK on every attribute, for every file it
// accepts: pydicom's test files (odd encodings, sequences, private tags) and our phantoms.
#include "Error.h"
#include "data/SpinePhantom.h"
#include "dicom/DicomWriter.h"
#include "dicom/FastHeader.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace spinelens;
using dicom::FileHeader;

namespace {
QString describeDifference(const FileHeader& a, const FileHeader& b) {
    const SeriesInfo& x = a.series;
    const SeriesInfo& y = b.series;
#define SAME(field)                                                                                \
    if (!(field##A == field##B))                                                                   \
        return #field;
    auto strings = [](const SeriesInfo& s) {
        return std::vector<std::string>{
            s.patientName,      s.patientId,         s.patientSex,        s.patientBirthDate,
            s.studyInstanceUid, s.studyDate,         s.studyTime,         s.studyDescription,
            s.accessionNumber,  s.seriesInstanceUid, s.seriesDescription, s.modality,
            s.bodyPartExamined, s.manufacturer,      s.photometric,       s.spacingSource};
    };
    const auto sA = strings(x), sB = strings(y);
    for (std::size_t i = 0; i < sA.size(); ++i)
        if (sA[i] != sB[i])
            return QString("string attribute %1: '%2' vs '%3'")
                .arg(i)
                .arg(sA[i].c_str(), sB[i].c_str());
    const auto nA = std::make_tuple(x.seriesNumber, x.rows, x.columns, x.samplesPerPixel,
                                    a.numberOfFrames, a.hasPixelData, a.hasOrientation,
                                    a.slice.hasPosition, a.slice.instanceNumber,
                                    x.display.hasWindow, x.display.invert, x.geometry.spacingKnown);
    const auto nB = std::make_tuple(y.seriesNumber, y.rows, y.columns, y.samplesPerPixel,
                                    b.numberOfFrames, b.hasPixelData, b.hasOrientation,
                                    b.slice.hasPosition, b.slice.instanceNumber,
                                    y.display.hasWindow, y.display.invert, y.geometry.spacingKnown);
    if (nA != nB) {
        const int fa[] = {x.seriesNumber,
                          x.rows,
                          x.columns,
                          x.samplesPerPixel,
                          a.numberOfFrames,
                          a.hasPixelData,
                          a.hasOrientation,
                          a.slice.hasPosition,
                          a.slice.instanceNumber,
                          x.display.hasWindow};
        const int fb[] = {y.seriesNumber,
                          y.rows,
                          y.columns,
                          y.samplesPerPixel,
                          b.numberOfFrames,
                          b.hasPixelData,
                          b.hasOrientation,
                          b.slice.hasPosition,
                          b.slice.instanceNumber,
                          y.display.hasWindow};
        for (int i = 0; i < 10; ++i)
            if (fa[i] != fb[i])
                return QString("numeric attribute %1: %2 vs %3").arg(i).arg(fa[i]).arg(fb[i]);
        return "flags";
    }
    const auto dA =
        std::make_tuple(x.geometry.spacing, a.orientation, a.slice.position, a.sliceThickness,
                        a.spacingBetweenSlices, x.display.windowCenter, x.display.windowWidth);
    const auto dB =
        std::make_tuple(y.geometry.spacing, b.orientation, b.slice.position, b.sliceThickness,
                        b.spacingBetweenSlices, y.display.windowCenter, y.display.windowWidth);
    SAME(d)
    if (a.slice.sopInstanceUid != b.slice.sopInstanceUid || a.sopClassUid != b.sopClassUid)
        return "UIDs";
    return {};
#undef SAME
}
} // namespace

class FastHeader : public QObject {
    Q_OBJECT
    QTemporaryDir phantoms_;

    static QStringList files(const QString& folder) {
        QStringList out;
        for (const QFileInfo& fi : QDir(folder).entryInfoList({"*.dcm"}, QDir::Files, QDir::Name))
            out << fi.absoluteFilePath();
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        phantom::MriSpec spec;
        spec.rows = spec.columns = 16;
        spec.slices = 2;
        const Volume v = phantom::makeSagittalMri(spec);
        int n = 1;
        for (const char* e : {"explicit-le", "implicit-le", "explicit-be", "deflated", "rle",
                              "jpeg-lossless", "jpeg-ls-lossless"}) {
            dicom::SeriesSpec s;
            s.encoding = dicom::encodingFromName(e);
            s.seriesNumber = n++;
            dicom::writeSeries(v, s, phantoms_.path().toStdString());
        }
    }

    void agreesWithDcmtk_data() {
        QTest::addColumn<QString>("path");
        const QString pydicom = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
        for (const QString& f : files(pydicom) + files(phantoms_.path()))
            QTest::newRow(qPrintable(QFileInfo(f).fileName())) << f;
    }

    void agreesWithDcmtk() {
        QFETCH(QString, path);
        FileHeader fast;
        if (!dicom::readHeaderFast(path.toStdString(), fast)) {
            ++declined_;
            return; // DCMTK reads it; nothing to compare
        }
        ++accepted_;
        FileHeader reference;
        try {
            reference = dicom::readHeaderWithDcmtk(path.toStdString());
        } catch (const Error& e) {
            qInfo("DCMTK refuses what the fast reader accepts: %s", e.what());
            return;
        }
        const QString diff = describeDifference(fast, reference);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void cleanupTestCase() {
        qInfo("fast reader accepted %d files, left %d to DCMTK", accepted_, declined_);
        // The common layouts must take the fast path, or the scan is slow for nothing.
        QVERIFY(accepted_ >= 40);
    }

private:
    int accepted_ = 0;
    int declined_ = 0;
};

QTEST_GUILESS_MAIN(FastHeader)
#include "test_fast_header.moc"
