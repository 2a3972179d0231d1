// Phantom series written with DCMTK under shuffled file names, in every encoding we write,
// must come back in slice order with their geometry and exact voxel values.
#include "data/SpinePhantom.h"
#include "dicom/DicomHeader.h"
#include "dicom/DicomWriter.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <set>

using namespace spinelens;

namespace {
Volume smallMri(std::uint64_t seed) {
    phantom::MriSpec spec;
    spec.rows = 64;
    spec.columns = 48;
    spec.slices = 9;
    spec.pixelSpacing = 0.8;
    spec.sliceSpacing = 3.5;
    spec.seed = seed;
    return phantom::makeSagittalMri(spec);
}
} // namespace

class SeriesSorting : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sortsShuffledFiles_data() {
        QTest::addColumn<QString>("encoding");
        for (const char* e : {"explicit-le", "implicit-le", "explicit-be", "deflated", "rle",
                              "jpeg-lossless", "jpeg-ls-lossless"})
            QTest::newRow(e) << QString(e);
    }

    void sortsShuffledFiles() {
        QFETCH(QString, encoding);
        QTemporaryDir dir;
        const Volume source = smallMri(7);
        dicom::SeriesSpec spec;
        spec.encoding = dicom::encodingFromName(encoding.toStdString());
        spec.seed = 7;
        const auto written = dicom::writeSeries(source, spec, dir.path().toStdString());
        QCOMPARE(int(written.size()), source.depth);

        const ScanResult scan = spinelens::scan({dir.path().toStdString()});
        QVERIFY2(scan.failures.empty(),
                 scan.failures.empty() ? "" : scan.failures[0].reason.c_str());
        QCOMPARE(int(scan.series.size()), 1);
        const SeriesInfo& s = scan.series[0];
        QCOMPARE(s.sortedBy, std::string("position"));
        QCOMPARE(int(s.slices.size()), source.depth);
        // Display order is the written order (writeSeries returns paths in slice order).
        for (int k = 0; k < source.depth; ++k)
            QCOMPARE(s.slices[std::size_t(k)].path, written[std::size_t(k)]);
        QVERIFY(std::abs(s.geometry.spacing[0] - 0.8) < 1e-6);
        QVERIFY(std::abs(s.geometry.spacing[2] - 3.5) < 1e-6);
        for (int i = 0; i < 9; ++i)
            QVERIFY(std::abs(s.geometry.direction[std::size_t(i)] -
                             source.geometry.direction[std::size_t(i)]) < 1e-6);
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::abs(s.geometry.origin[std::size_t(i)] -
                             source.geometry.origin[std::size_t(i)]) < 1e-6);

        LoadReport report;
        auto volume = loadSeries(s, &report);
        QVERIFY(report.failures.empty());
        QCOMPARE(volume->voxels.size(), source.voxels.size());
        for (std::size_t i = 0; i < source.voxels.size(); ++i)
            if (volume->voxels[i] != source.voxels[i])
                QFAIL(qPrintable(QString("voxel %1: %2 != %3")
                                     .arg(i)
                                     .arg(volume->voxels[i])
                                     .arg(source.voxels[i])));
    }

    void obliqueSeriesSortsAlongNormal() {
        QTemporaryDir dir;
        Volume v = smallMri(3);
        // Rotate the sagittal plane 20 degrees about the patient's vertical axis.
        const double a = 20.0 * M_PI / 180.0;
        const Vec3 row{std::sin(a), std::cos(a), 0}, col{0, 0, -1};
        const Vec3 n = cross(row, col);
        v.geometry.direction = {row[0], row[1], row[2], col[0], col[1], col[2], n[0], n[1], n[2]};
        dicom::SeriesSpec spec;
        spec.seed = 11;
        const auto written = dicom::writeSeries(v, spec, dir.path().toStdString());
        const ScanResult scan = spinelens::scan({dir.path().toStdString()});
        QCOMPARE(int(scan.series.size()), 1);
        for (int k = 0; k < v.depth; ++k)
            QCOMPARE(scan.series[0].slices[std::size_t(k)].path, written[std::size_t(k)]);
        QVERIFY(std::abs(scan.series[0].geometry.spacing[2] - 3.5) < 1e-6);
    }

    void twoSeriesInOneFolderStayApart() {
        QTemporaryDir dir;
        dicom::SeriesSpec a;
        a.seed = 5;
        a.seriesNumber = 1;
        dicom::SeriesSpec b = a;
        b.seriesNumber = 2;
        b.studyInstanceUid = dicom::deterministicUid(5, 1); // same study
        dicom::writeSeries(smallMri(1), a, dir.path().toStdString());
        dicom::writeSeries(smallMri(2), b, dir.path().toStdString());
        const ScanResult scan = spinelens::scan({dir.path().toStdString()});
        QCOMPARE(int(scan.series.size()), 2);
        QCOMPARE(scan.series[0].seriesNumber, 1);
        QCOMPARE(scan.series[1].seriesNumber, 2);
        QCOMPARE(int(scan.series[0].slices.size()), 9);
    }

    void dicomDirReferencesEveryImage() {
        // pydicom's DICOMDIR sample: 31 IMAGE records in 13 series (pydicom's README).
        const std::string dicomdir =
            "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/DICOMDIR";
        const ScanResult viaIndex = spinelens::scan({dicomdir});
        std::set<std::string> files, seriesUids;
        for (const auto& s : viaIndex.series) {
            seriesUids.insert(s.seriesInstanceUid);
            for (const auto& sl : s.slices)
                files.insert(sl.path);
        }
        QCOMPARE(int(files.size()), 31);
        QCOMPARE(int(seriesUids.size()), 13);
        QVERIFY(viaIndex.failures.empty());
        // Opening the folder finds the same images once each (the DICOMDIR and a walk agree).
        const ScanResult viaFolder = spinelens::scan(
            {"/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests"});
        std::set<std::string> folderFiles;
        int slices = 0;
        for (const auto& s : viaFolder.series)
            for (const auto& sl : s.slices) {
                folderFiles.insert(sl.path);
                ++slices;
            }
        QCOMPARE(slices, int(folderFiles.size()));
        for (const auto& f : files)
            QVERIFY2(folderFiles.count(f), f.c_str());
    }

    void fallsBackToInstanceNumberThenFileName() {
        std::vector<dicom::FileHeader> headers;
        for (int i : {3, 1, 2}) {
            dicom::FileHeader h;
            h.series.seriesInstanceUid = "1.2.3";
            h.series.rows = h.series.columns = 8;
            h.slice.path = "/x/file" + std::to_string(4 - i);
            h.slice.instanceNumber = i;
            headers.push_back(h);
        }
        auto series = dicom::groupIntoSeries(headers);
        QCOMPARE(series[0].sortedBy, std::string("instance number"));
        QCOMPARE(series[0].slices[0].instanceNumber, 1);
        QCOMPARE(series[0].slices[2].instanceNumber, 3);
        for (auto& h : headers)
            h.slice.instanceNumber = 0;
        series = dicom::groupIntoSeries(headers);
        QCOMPARE(series[0].sortedBy, std::string("file name"));
        QCOMPARE(series[0].slices[0].path, std::string("/x/file1"));
    }
};

QTEST_GUILESS_MAIN(SeriesSorting)
#include "test_series_sorting.moc"
