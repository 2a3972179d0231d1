// Data set readers on small layouts built here, in the exact shapes of the Kaggle class-folder
// set, the RSNA 2024 lumbar spine layout and a manifest CSV, including the malformed cases.
#include "Error.h"
#include "data/Dataset.h"
#include "dicom/DicomWriter.h"
#include "image/Volume.h"
#include "study/CaseImage.h"

#include <map>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace spinelens;

namespace {
const std::vector<std::string> kXrayClasses = {"foraminal stenosis", "osteophyte",
                                               "surgical implant", "normal"};

void touch(const QString& path, const QByteArray& content = "x") {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

bool hasProblem(const data::Dataset& d, const QString& pathPart, const QString& reasonPart) {
    for (const auto& p : d.problems)
        if (QString::fromStdString(p.path).contains(pathPart) &&
            QString::fromStdString(p.reason).contains(reasonPart))
            return true;
    return false;
}
} // namespace

class Datasets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The case image is the file's first stored frame wherever the series sorts it, so the
    // case view shows what evaluation gave the model.
    void caseImageIsTheFilesFirstFrame() {
        SeriesInfo s;
        for (int f : {2, 0, 1}) { // frames sorted by position: frame 0 comes second
            SliceSource slice;
            slice.path = "/data/multi.dcm";
            slice.frame = f;
            s.slices.push_back(slice);
        }
        QCOMPARE(caseImageSlice(s, "/data/multi.dcm"), 1);
        QCOMPARE(caseImageSlice(s, "/data/other.dcm"), 0);
    }

    void classNameRule_data() {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<bool>("same");
        QTest::newRow("underscore") << "Foraminal_Stenosis"
                                    << "foraminal stenosis" << true;
        QTest::newRow("hyphen and case") << "SURGICAL-IMPLANT"
                                         << "surgical implant" << true;
        QTest::newRow("dots") << "normal."
                              << "Normal" << true;
        QTest::newRow("different") << "osteophytes"
                                   << "osteophyte" << false;
    }
    void classNameRule() {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(bool, same);
        QCOMPARE(data::normaliseClassName(a.toStdString()) ==
                     data::normaliseClassName(b.toStdString()),
                 same);
    }

    void classFolders() {
        QTemporaryDir dir;
        touch(dir.path() + "/Foraminal_Stenosis/a.png");
        touch(dir.path() + "/osteophyte/b.png");
        touch(dir.path() + "/osteophyte/sub/c.JPG");
        touch(dir.path() + "/osteophyte/notes.txt");
        QDir().mkpath(dir.path() + "/Surgical-Implant");
        touch(dir.path() + "/normal/d.jpg");
        touch(dir.path() + "/misc/e.png");
        const data::Dataset d = data::readClassFolders(dir.path().toStdString(), kXrayClasses);
        QCOMPARE(d.layout, std::string("class-folders"));
        QCOMPARE(int(d.samples.size()), 4);
        QCOMPARE(d.classCounts(), (std::vector<int>{1, 2, 0, 1}));
        QVERIFY(hasProblem(d, "misc", "matches none of the classes"));
        QVERIFY(hasProblem(d, "Surgical-Implant", "no PNG, JPEG or DICOM"));
        // Without the model's classes, the folders are the classes.
        const data::Dataset own = data::readClassFolders(dir.path().toStdString());
        QCOMPARE(int(own.classes.size()), 5);
        QCOMPARE(own.classes.front(), std::string("Foraminal_Stenosis"));
    }

    void dicomSamplesAreGroupedByPatient() {
        // Two studies of patient A (one filed as normal, one as osteophyte) and one of patient
        // B: A's files share a group, so a split never puts A on both sides.
        QTemporaryDir dir;
        auto write = [&](const QString& cls, const std::string& patient, std::uint64_t seed) {
            Volume v;
            v.width = v.height = 8;
            v.depth = 1;
            v.voxels.assign(64, 100.0f);
            dicom::SeriesSpec spec;
            spec.patientId = patient;
            spec.seed = seed;
            spec.modality = "DX";
            return dicom::writeSeries(v, spec, dir.filePath(cls).toStdString()).front();
        };
        const std::string a1 = write("normal", "A", 1), a2 = write("osteophyte", "A", 2),
                          b = write("normal", "B", 3);
        const data::Dataset d = data::readClassFolders(dir.path().toStdString());
        std::map<std::string, std::string> group;
        for (const auto& s : d.samples)
            group[s.path] = s.group;
        QCOMPARE(group.size(), std::size_t(3));
        QCOMPARE(group[a1], std::string("patient:A"));
        QCOMPARE(group[a2], group[a1]);
        QCOMPARE(group[b], std::string("patient:B"));
    }

    void classFoldersWithoutClassesFail() {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, data::readClassFolders(dir.path().toStdString()));
    }

    void manifest() {
        QTemporaryDir dir;
        touch(dir.path() + "/img/one.png");
        touch(dir.path() + "/img/two, with comma.png");
        touch(dir.path() + "/img/three.png");
        touch(dir.path() + "/list.csv", "path,label,split,group\n"
                                        "img/one.png,Osteophyte,train,p1\r\n"
                                        "\"img/two, with comma.png\",normal,TEST,p2\n"
                                        "img/three.png,fracture,train,p3\n"
                                        "img/missing.png,normal,val,p4\n"
                                        "img/three.png,normal,holdout,p5\n"
                                        "img/three.png,normal\n");
        const data::Dataset d =
            data::readManifest((dir.path() + "/list.csv").toStdString(), kXrayClasses);
        QCOMPARE(int(d.samples.size()), 2);
        QCOMPARE(d.samples[0].label, 1);
        QCOMPARE(d.samples[0].split, std::string("train"));
        QCOMPARE(d.samples[0].group, std::string("p1"));
        QVERIFY(QString::fromStdString(d.samples[1].path).endsWith("two, with comma.png"));
        QCOMPARE(d.samples[1].split, std::string("test"));
        QVERIFY(hasProblem(d, "line 4", "\"fracture\" is not one of the classes"));
        QVERIFY(hasProblem(d, "missing.png", "missing"));
        QVERIFY(hasProblem(d, "line 6", "holdout"));
        QVERIFY(hasProblem(d, "line 7", "fields"));
    }

    void manifestMissingColumn() {
        QTemporaryDir dir;
        touch(dir.path() + "/bad.csv", "file,label\na.png,normal\n");
        try {
            data::readManifest((dir.path() + "/bad.csv").toStdString());
            QFAIL("accepted a manifest without a path column");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("bad.csv"));
            QVERIFY(QString(e.what()).contains("\"path\""));
        }
    }

    void rsna2024() {
        QTemporaryDir dir;
        const QString root = dir.path() + "/rsna";
        touch(root + "/train.csv", "study_id,spinal_canal_stenosis_l1_l2,left_neural_foraminal_"
                                   "narrowing_l4_l5,right_subarticular_stenosis_l5_s1\n"
                                   "1,Normal/Mild,Normal/Mild,\n"
                                   "2,Normal/Mild,Severe,Normal/Mild\n"
                                   "3,,,\n"
                                   "4,Normal/Mild,Bad,Normal/Mild\n"
                                   "6,Moderate,Normal/Mild,Normal/Mild\n");
        touch(root + "/train_series_descriptions.csv", "study_id,series_id,series_description\n"
                                                       "1,10,Sagittal T2/STIR\n"
                                                       "1,11,Axial T2\n"
                                                       "2,20,Sagittal T2/STIR\n"
                                                       "2,21,Sagittal T1\n"
                                                       "6,60,Sagittal T2/STIR\n");
        touch(root + "/train_label_coordinates.csv",
              "study_id,series_id,instance_number,condition,level,x,y\n2,20,3,Left Neural "
              "Foraminal Narrowing,L4/L5,100,120\n");
        for (const char* f :
             {"/train_images/1/10/10.dcm", "/train_images/1/10/2.dcm", "/train_images/1/10/1.dcm",
              "/train_images/1/11/1.dcm", "/train_images/2/20/3.dcm", "/train_images/2/21/1.dcm"})
            touch(root + f);
        const data::Dataset d = data::openDataset(root.toStdString());
        QCOMPARE(d.layout, std::string("rsna-2024"));
        QCOMPARE(d.classes, (std::vector<std::string>{"healthy", "degenerative"}));
        QCOMPARE(int(d.samples.size()), 4); // study 1: 3 sagittal T2 slices, study 2: 1
        QVERIFY(QString::fromStdString(d.samples[0].path).endsWith("/1/10/1.dcm"));
        QVERIFY(QString::fromStdString(d.samples[1].path).endsWith("/1/10/2.dcm"));
        QVERIFY(
            QString::fromStdString(d.samples[2].path).endsWith("/1/10/10.dcm")); // numeric order
        QCOMPARE(d.samples[0].label, 0);
        QCOMPARE(d.samples[0].group, std::string("1"));
        QCOMPARE(d.samples[3].label, 1);
        QCOMPARE(d.samples[3].group, std::string("2"));
        QVERIFY(hasProblem(d, "study 3", "no grade"));
        QVERIFY(hasProblem(d, "study 4", "grade other than"));
        QVERIFY(hasProblem(d, "train_images/6/60", "missing"));
        // Another series type.
        data::RsnaOptions t1;
        t1.seriesType = "Sagittal T1";
        const data::Dataset d1 = data::readRsna2024(root.toStdString(), t1);
        QCOMPARE(int(d1.samples.size()), 1);
        QVERIFY(hasProblem(d1, "study 1", "no \"Sagittal T1\" series"));
    }

    void rsnaMissingColumn() {
        QTemporaryDir dir;
        touch(dir.path() + "/train.csv", "study_id,a\n1,Normal/Mild\n");
        touch(dir.path() + "/train_series_descriptions.csv", "study_id,series_id\n1,10\n");
        try {
            data::readRsna2024(dir.path().toStdString());
            QFAIL("accepted a series CSV without series_description");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("train_series_descriptions.csv"));
            QVERIFY(QString(e.what()).contains("series_description"));
        }
    }
};

QTEST_GUILESS_MAIN(Datasets)
#include "test_datasets.moc"
