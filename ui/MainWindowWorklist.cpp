// MainWindow's worklist side: File > Worklist opens the clinicians' worklist window on a
// worklist file; studies the DICOM receiver takes enter it; opening an entry shows the study
// here at its most suspicious image.
#include "MainWindow.h"

#include "ViewerSession.h"
#include "ai/ConfidencePanel.h"
#include "pacs/DicomReceiver.h"
#include "view/ImageView.h"
#include "worklist/WorklistService.h"
#include "worklist/WorklistWindow.h"

#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QStandardPaths>

namespace spinelens::ui {

QString MainWindow::defaultWorklistFile() {
    const QString saved = QSettings().value("worklist/file").toString();
    if (!saved.isEmpty())
        return saved;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath("worklist.sqlite");
}

WorklistService* MainWindow::worklistService() {
    if (!worklist_) {
        worklist_ = new WorklistService(this);
        // What the receiver takes enters the worklist (triaged once the study stops arriving).
        connect(receiver_, &DicomReceiver::objectReceived, worklist_,
                &WorklistService::noteReceived);
    }
    return worklist_;
}

void MainWindow::feedWorklistFromReceiver() {
    if (!receiver_->isRunning() || (worklist_ && worklist_->isOpen()))
        return;
    const QString saved = QSettings().value("worklist/file").toString();
    if (saved.isEmpty() || !QFileInfo::exists(saved))
        return; // no worklist in use: File > Worklist starts one
    const QString problem = worklistService()->open(saved);
    if (!problem.isEmpty())
        statusText_->setText(tr("Worklist: %1").arg(problem));
}

WorklistWindow* MainWindow::openWorklist(const QString& file) {
    const QString path = file.isEmpty() ? defaultWorklistFile() : file;
    worklistService();
    if (worklist_->path() != path || !worklist_->isOpen()) {
        const QString problem = worklist_->open(path);
        if (!problem.isEmpty()) {
            showProblem(tr("Worklist"), problem);
            return nullptr;
        }
        QSettings().setValue("worklist/file", path);
        if (worklistWindow_) {
            worklistWindow_->close();
            worklistWindow_->deleteLater();
            worklistWindow_ = nullptr;
        }
    }
    if (!worklistWindow_) {
        worklistWindow_ = new WorklistWindow(worklist_, this);
        worklistWindow_->setWindowFlag(Qt::Window);
        connect(worklistWindow_, &WorklistWindow::openStudy, this,
                [this](const worklist::Entry& e) {
                    const QString source = QString::fromStdString(e.source);
                    QStringList paths = source.split(';', Qt::SkipEmptyParts);
                    // A study entered from several paths: the best image's folder is enough.
                    if (!e.triage.bestPath.empty())
                        paths = {QFileInfo(QString::fromStdString(e.triage.bestPath)).path()};
                    openStudyAt(paths, e.triage.bestSeriesUid, e.triage.bestSlice);
                });
    }
    worklistWindow_->show();
    worklistWindow_->raise();
    return worklistWindow_;
}

void MainWindow::openStudyAt(const QStringList& paths, const std::string& seriesUid, int slice) {
    pendingSeriesUid_ = seriesUid;
    pendingSlice_ = slice;
    // A reviewer opening a flagged study sees why it was flagged: the heatmap is on (H hides
    // it; an image outside the model's domain still shows none).
    confidence_->setHeatmapEnabled(true);
    openPaths(paths);
}

void MainWindow::addWorklistActions(QMenu* file) {
    file->addAction(tr("&Worklist…"), QKeySequence(tr("Ctrl+Shift+W")), this,
                    [this] { openWorklist(); });
    file->addAction(tr("Open Worklist &File…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Worklist file (opened, or created when new)"), defaultWorklistFile(),
            tr("Worklists (*.sqlite)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            openWorklist(path);
    });
}

} // namespace spinelens::ui
