// spinelens: the viewer. Arguments are files/folders to open; --screenshot PATH saves what the
// window shows once the first series has loaded, then quits (for docs and smoke tests).
#include "MainWindow.h"
#include "ai/AiController.h"
#include "view/SurfaceFormat.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv) {
    spinelens::ui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QApplication::setOrganizationName("SpineLens");
    QApplication::setApplicationName("SpineLens");
    QApplication::setApplicationVersion(SPINELENS_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("SpineLens spine image viewer");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot(
        "screenshot", "Save a screenshot of the window to PATH after loading, then quit.", "PATH");
    parser.addOption(screenshot);
    QCommandLineOption model("model", "Use the model package in DIR (remembered for next time).",
                             "DIR");
    parser.addOption(model);
    parser.addPositionalArgument("paths", "DICOM files, folders, DICOMDIRs, PNG/JPEG X-rays",
                                 "[paths...]");
    parser.process(app);

    spinelens::ui::MainWindow window;
    window.show();
    if (parser.isSet(model))
        window.openModel(parser.value(model));
    const QStringList paths = parser.positionalArguments();
    if (!paths.isEmpty())
        QTimer::singleShot(0, &window, [&window, paths] { window.openPaths(paths); });

    if (parser.isSet(screenshot)) {
        const QString out = parser.value(screenshot);
        auto save = [&window, out] {
            QTimer::singleShot(300, &window, [&window, out] {
                const bool ok = window.grabWindowImage().save(out, "PNG");
                QApplication::exit(ok ? 0 : 1);
            });
        };
        if (parser.isSet(model)) {
            // Wait for the AI's first answer (or its refusal) so the picture shows it.
            QObject::connect(window.ai(), &spinelens::ui::AiController::sliceResult, &window, save);
            QObject::connect(window.ai(), &spinelens::ui::AiController::failed, &window, save);
            QObject::connect(window.ai(), &spinelens::ui::AiController::modelFailed, &window, save);
        } else {
            QObject::connect(&window, &spinelens::ui::MainWindow::seriesReady, &window, save);
        }
        QObject::connect(&window, &spinelens::ui::MainWindow::problem, &window, save);
        if (paths.isEmpty())
            save();
    }
    return app.exec();
}
