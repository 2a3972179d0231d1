// The viewer shows a DX file through its own VOI LUT Sequence or SIGMOID window, checked in the
// rendered pixels of a real window against pydicom's presentation of the same file
// (tests/reference/voi_reference.py); the user's own window then replaces the file's curve.
#include "MainWindow.h"
#include "dicom/DicomHeader.h"
#include "util/Npy.h"
#include "view/ImageView.h"
#include "view/SurfaceFormat.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace spinelens;
using spinelens::ui::ImageView;

namespace {

QString refFile(const QString& name) {
    return qEnvironmentVariable("SPINELENS_VOI_REF") + "/" + name;
}

int grey(const QImage& img, QPointF p) {
    const QPoint q(int(std::lround(p.x() * img.devicePixelRatio())),
                   int(std::lround(p.y() * img.devicePixelRatio())));
    return qGray(img.pixel(q));
}

} // namespace

class VoiGui : public QObject {
    Q_OBJECT
    std::unique_ptr<ui::MainWindow> window_;
    ImageView* view_ = nullptr;

    void open(const QString& name) {
        QSignalSpy ready(window_.get(), &ui::MainWindow::seriesReady);
        window_->openPaths({refFile(name + ".dcm")});
        QVERIFY(ready.wait(20000));
        QTest::qWait(150);
    }

    // Block k of the 4 x 4 test image against pydicom's grey at its centre.
    void compareBlocks(const QString& name) {
        const NpyMatrix ref = readNpy(refFile(name + ".npy").toStdString());
        const dicom::FileHeader h = dicom::readHeader(refFile(name + ".dcm").toStdString());
        const Vec3 spacing = h.series.geometry.spacing;
        QTest::qWait(50);
        const QImage shot = view_->screenshot();
        int distinct = 0, last = -1;
        for (int k = 0; k < 16; ++k) {
            const int row = (k / 4) * 64 + 32, col = (k % 4) * 64 + 32;
            const double expected = ref.values[std::size_t(row) * 256 + col];
            const int shown =
                grey(shot, view_->imageToWidget({col * spacing[0], row * spacing[1]}));
            QVERIFY2(std::abs(shown - expected) <= 3,
                     qPrintable(QString("%1 block %2: shown %3, pydicom %4")
                                    .arg(name)
                                    .arg(k)
                                    .arg(shown)
                                    .arg(expected)));
            distinct += shown != last ? 1 : 0;
            last = shown;
        }
        QVERIFY(distinct >= 8);
    }

public:
    static void initMain() { ui::setDefaultSurfaceFormat(); }

private Q_SLOTS:
    void initTestCase() {
        QCoreApplication::setOrganizationName("SpineLensTest");
        window_ = std::make_unique<ui::MainWindow>();
        window_->resize(1200, 900);
        window_->show();
        QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
        view_ = window_->imageView();
    }

    void showsTheFilesVoiLut() {
        open("voi_lut");
        QVERIFY(view_->showsFileVoiCurve());
        compareBlocks("voi_lut");
    }

    void showsTheFilesSigmoidWindow() {
        open("sigmoid");
        QVERIFY(view_->showsFileVoiCurve());
        compareBlocks("sigmoid");
    }

    void theUsersWindowReplacesTheCurveAndResetBringsItBack() {
        open("voi_lut");
        view_->setWindow({2000.0, 4000.0});
        QVERIFY(!view_->showsFileVoiCurve());
        const NpyMatrix ref = readNpy(refFile("voi_lut.npy").toStdString());
        const Vec3 spacing =
            dicom::readHeader(refFile("voi_lut.dcm").toStdString()).series.geometry.spacing;
        // Block 5 (stored 1340): linear 2000/4000 gives about 85, the file's gamma about 135.
        const int row = 96, col = 96;
        QTest::qWait(100);
        const int shown =
            grey(view_->screenshot(), view_->imageToWidget({col * spacing[0], row * spacing[1]}));
        const double linear = (1340 - (2000 - 4000 / 2)) / 4000.0 * 255.0; // VTK's window
        QVERIFY2(std::abs(shown - linear) <= 3, qPrintable(QString("shown %1").arg(shown)));
        QVERIFY(std::abs(ref.values[std::size_t(row) * 256 + col] - linear) > 20);
        view_->resetWindow();
        QVERIFY(view_->showsFileVoiCurve());
        compareBlocks("voi_lut");
    }
};

QTEST_MAIN(VoiGui)
#include "test_voi_gui.moc"
