// spinelens: the viewer. Arguments are files/folders to open; --screenshot PATH saves what the
// window shows once the first series has loaded, then quits (for docs and smoke tests).
#include "MainWindow.h"
#include "ai/AiController.h"
#include "net/Pacs.h"
#include "runs/CaseView.h"
#include "runs/RunBrowser.h"
#include "util/Allocator.h"
#include "view/SurfaceFormat.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv) {
    spinelens::keepFreedMemoryForReuse();   // before any thread starts
    spinelens::net::initialiseNetworking(); // before any thread starts
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
    QCommandLineOption model("model",
                             "Use the model package in DIR for this run (Model > Open Model "
                             "Package… pins one for good).",
                             "DIR");
    parser.addOption(model);
    QCommandLineOption run("run", "Open the evaluation run file RUN.sqlite in the run browser.",
                           "RUN.sqlite");
    parser.addOption(run);
    QCommandLineOption worklist(
        "worklist", "Open the clinicians' worklist on FILE (created when new).", "FILE");
    parser.addOption(worklist);
    parser.addPositionalArgument("paths", "DICOM files, folders, DICOMDIRs, PNG/JPEG X-rays",
                                 "[paths...]");
    parser.process(app);

    if (parser.isSet(run)) {
        // The browser alone: the researcher came for the run, not for a study.
        auto* browser = new spinelens::ui::RunBrowser();
        browser->setAttribute(Qt::WA_DeleteOnClose);
        browser->show();
        browser->openRun(parser.value(run));
        if (parser.isSet(screenshot)) {
            const QString out = parser.value(screenshot);
            auto save = [browser, out] {
                QTimer::singleShot(500, browser, [browser, out] {
                    QApplication::exit(browser->grabWindowImage().save(out, "PNG") ? 0 : 1);
                });
            };
            QObject::connect(browser->caseView(), &spinelens::ui::CaseView::caseShown, browser,
                             save);
            QObject::connect(browser, &spinelens::ui::RunBrowser::problem, browser, save);
        }
        return app.exec();
    }

    spinelens::ui::MainWindow window;
    window.show();
    if (parser.isSet(model))
        window.useModelForThisRun(parser.value(model));
    if (parser.isSet(worklist))
        window.openWorklist(parser.value(worklist));
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
