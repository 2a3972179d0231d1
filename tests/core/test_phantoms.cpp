// Labelled phantoms: deterministic for a seed, each class carrying its finding, and the written
// sets readable by the data set readers in the studies' layouts (label coordinates pointing at
// the degenerated disc).
#include "data/Csv.h"
#include "data/Dataset.h"
#include "data/PhantomSets.h"
#include "data/XrayPhantom.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace spinelens;
using phantom::XrayClass;

namespace {
int saturated(const Volume& v) {
    return int(std::count(v.voxels.begin(), v.voxels.end(), 255.0f));
}
} // namespace

class Phantoms : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void xrayIsDeterministic() {
        const auto a = phantom::makeXrayPhantom(XrayClass::Osteophyte, 42);
        const auto b = phantom::makeXrayPhantom(XrayClass::Osteophyte, 42);
        const auto c = phantom::makeXrayPhantom(XrayClass::Osteophyte, 43);
        QVERIFY(a.image.voxels == b.image.voxels);
        QVERIFY(a.image.voxels != c.image.voxels);
        QCOMPARE(a.image.width, 300);
        QVERIFY(a.variation.affectedLevels >= 1);
        QCOMPARE(phantom::makeXrayPhantom(XrayClass::Normal, 42).variation.affectedLevels, 0);
    }

    void implantsSaturateOnlyInTheImplantClass() {
        for (std::uint64_t seed = 0; seed < 12; ++seed) {
            const int implant =
                saturated(phantom::makeXrayPhantom(XrayClass::SurgicalImplant, seed).image);
            const int normal = saturated(phantom::makeXrayPhantom(XrayClass::Normal, seed).image);
            QVERIFY2(implant > 100,
                     qPrintable(QString("seed %1: %2 saturated pixels").arg(seed).arg(implant)));
            QVERIFY2(normal < implant / 4, qPrintable(QString("seed %1: normal %2 vs implant %3")
                                                          .arg(seed)
                                                          .arg(normal)
                                                          .arg(implant)));
        }
    }

    void classesDifferFromNormalWithTheSameSeed() {
        const auto normal = phantom::makeXrayPhantom(XrayClass::Normal, 7).image.voxels;
        for (XrayClass c :
             {XrayClass::ForaminalStenosis, XrayClass::Osteophyte, XrayClass::SurgicalImplant})
            QVERIFY(phantom::makeXrayPhantom(c, 7).image.voxels != normal);
    }

    void xraySetInClassFolders() {
        QTemporaryDir dir;
        const auto r = phantom::writeXrayPhantomSet(dir.path().toStdString(), 10, 5);
        QCOMPARE(r.images, 10);
        const data::Dataset d =
            data::readClassFolders(dir.path().toStdString(), phantom::xrayClassNames());
        QCOMPARE(int(d.samples.size()), 10);
        QCOMPARE(d.classCounts(), (std::vector<int>{3, 3, 2, 2}));
        QVERIFY(d.problems.empty());
        const data::CsvTable t = data::readCsv((dir.path() + "/phantoms.csv").toStdString());
        QCOMPARE(int(t.rows.size()), 10);
        QVERIFY(t.hasColumn("view") && t.hasColumn("region"));
    }

    void mriSetInRsnaLayout() {
        QTemporaryDir dir;
        const auto r = phantom::writeMriPhantomSet(dir.path().toStdString(), 4, 9);
        QCOMPARE(r.perClass, (std::vector<int>{2, 2}));
        const data::Dataset d = data::readRsna2024(dir.path().toStdString());
        QVERIFY2(d.problems.empty(), d.problems.empty() ? "" : d.problems[0].reason.c_str());
        QCOMPARE(int(d.samples.size()), 4 * 15);
        QCOMPARE(d.classCounts(), (std::vector<int>{30, 30}));
        // Every study is one readable, position-sorted DICOM series.
        const ScanResult scan = spinelens::scan({(dir.path() + "/train_images").toStdString()});
        QCOMPARE(int(scan.series.size()), 4);
        QVERIFY(scan.failures.empty());
        for (const auto& s : scan.series)
            QCOMPARE(s.sortedBy, std::string("position"));

        // The label coordinates point at a degenerated disc: its nucleus is darker on T2 than
        // the brightest (healthy) disc in the same column of that slice.
        const data::CsvTable coords =
            data::readCsv((dir.path() + "/train_label_coordinates.csv").toStdString());
        QVERIFY(!coords.rows.empty());
        for (const auto& row : coords.rows) {
            const std::string path = (dir.path() + "/train_images/").toStdString() +
                                     row[coords.column("study_id")] + "/" +
                                     row[coords.column("series_id")] + "/" +
                                     row[coords.column("instance_number")] + ".dcm";
            auto volume = loadSeries(spinelens::scan({path}).series.at(0));
            const int x = int(std::stod(row[coords.column("x")])),
                      y = int(std::stod(row[coords.column("y")]));
            auto patchMean = [&](int cx, int cy) {
                double sum = 0;
                for (int dy = -1; dy <= 1; ++dy)
                    for (int dx = -2; dx <= 2; ++dx)
                        sum += volume->at(cx + dx, cy + dy, 0);
                return sum / 15;
            };
            double brightest = 0;
            for (int row = 2; row + 2 < volume->height; ++row)
                for (int column = std::max(3, x - 12); column <= x + 12; ++column)
                    brightest = std::max(brightest, patchMean(column, row));
            const double labelled = patchMean(x, y);
            QVERIFY2(labelled < 0.9 * brightest,
                     qPrintable(QString("disc at %1,%2 has signal %3, brightest disc %4")
                                    .arg(x)
                                    .arg(y)
                                    .arg(labelled)
                                    .arg(brightest)));
        }
    }
};

QTEST_GUILESS_MAIN(Phantoms)
#include "test_phantoms.moc"
