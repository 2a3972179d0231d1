// MainWindow's network and export side: PACS settings, the DICOM receiver, the AI result as
// DICOM (saved or sent to a PACS node), the de-identified copy of the study and the screenshot
// without patient identity. The work itself is in StudyOutbox and DicomReceiver.
#include "MainWindow.h"

#include "ViewerSession.h"
#include "WindowUtil.h"
#include "net/StoreFolder.h"
#include "pacs/DicomReceiver.h"
#include "pacs/PacsSettingsDialog.h"
#include "pacs/StudyOutbox.h"
#include "panels/SeriesBrowser.h"
#include "view/ImageView.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QVBoxLayout>

#include <set>

namespace spinelens::ui {
namespace {

// Asks where the de-identified copy goes and how (date shift, subject code). False: cancelled.
bool askDeidentifyOptions(QWidget* parent, QString& folder, out::AnonymiseOptions& options) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Export De-identified Copy"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* form = new QFormLayout;
    auto* where = new QLineEdit(&dialog);
    auto* browse = new QPushButton(QObject::tr("Browse…"), &dialog);
    auto* row = new QHBoxLayout;
    row->addWidget(where, 1);
    row->addWidget(browse);
    auto* shift = new QSpinBox(&dialog);
    shift->setRange(-36500, 36500);
    shift->setValue(0);
    shift->setToolTip(QObject::tr("0: dates are removed or emptied as the basic profile says; "
                                  "otherwise kept, moved by this many days"));
    auto* subject = new QLineEdit(&dialog);
    subject->setPlaceholderText(QObject::tr("research subject code (optional)"));
    form->addRow(QObject::tr("Folder"), row);
    form->addRow(QObject::tr("Shift dates by (days; 0 removes them)"), shift);
    form->addRow(QObject::tr("Subject code"), subject);
    layout->addLayout(form);
    auto* note = new QLabel(
        QObject::tr("DICOM PS3.15 basic confidentiality profile: identifying attributes removed "
                    "or replaced, private attributes removed, UIDs replaced consistently. "
                    "<b>Pixel data is not examined: text burned into the images stays.</b>"),
        &dialog);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    layout->addWidget(buttons);
    QObject::connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString dir = QFileDialog::getExistingDirectory(&dialog, QObject::tr("Folder"));
        if (!dir.isEmpty())
            where->setText(dir);
    });
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        if (!where->text().trimmed().isEmpty())
            dialog.accept();
    });
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    folder = where->text().trimmed();
    options.dateShiftDays = shift->value();
    options.subject = subject->text().trimmed().toStdString();
    return true;
}

} // namespace

void MainWindow::setupPacs() {
    outbox_ = new StudyOutbox(session_, this);
    receiver_ = new DicomReceiver(this);
    connect(outbox_, &StudyOutbox::finished, this,
            [this](bool ok, const QString& title, const QString& message, const QStringList&) {
                if (ok)
                    statusText_->setText(message.section('\n', 0, 0));
                else
                    showProblem(title, message);
            });
    connect(
        receiver_, &DicomReceiver::objectReceived, this, [this](const QString&, const QString&) {
            statusText_->setText(tr("Received %n object(s) into %1 (File > Open Received Studies).",
                                    "", receiver_->received())
                                     .arg(receiver_->folder()));
        });
    connect(receiver_, &DicomReceiver::problem, this,
            [this](const QString& message) { statusText_->setText(message); });
    // A receiver that cannot start (port taken) is said in the status bar, not in the way.
    const QString problem = applyPacsSettings();
    if (!problem.isEmpty())
        statusText_->setText(problem);
}

void MainWindow::addPacsActions(QMenu* file) {
    file->addAction(tr("PACS &Settings…"), this, [this] {
        PacsSettingsDialog dialog(this);
        if (const SeriesInfo* s = session_->series())
            dialog.setOpenStudyFolder(QString::fromStdString(s->studyInstanceUid));
        if (dialog.exec() == QDialog::Accepted) {
            const QString problem = applyPacsSettings();
            if (!problem.isEmpty())
                showProblem(tr("DICOM receiver"), problem);
        }
    });
    file->addAction(tr("Open Recei&ved Studies"), this, [this] {
        const PacsSettings s = PacsSettings::load();
        openPaths({s.receiverFolder});
    });
}

void MainWindow::addExportActions(QMenu* file) {
    QAction* anonymous =
        file->addAction(tr("Export Screenshot &without Patient Identity…"), this, [this] {
            const QString path =
                QFileDialog::getSaveFileName(this, tr("Export screenshot without patient identity"),
                                             "spinelens-anonymous.png", tr("PNG images (*.png)"));
            if (!path.isEmpty() && !exportScreenshot(path, false))
                showProblem(tr("Export failed"), tr("%1: cannot write the PNG file").arg(path));
        });
    anonymous->setToolTip(tr("Leaves out the patient's name and ID, the study date and "
                             "description; the series description and any text burned into "
                             "the image stay"));
    file->addAction(tr("Export &De-identified Copy of Study…"), this, [this] {
        QString folder;
        out::AnonymiseOptions options;
        if (askDeidentifyOptions(this, folder, options))
            outbox_->exportDeidentified(folder, options);
    });
}

void MainWindow::addAiResultActions(QMenu* model) {
    model->addSeparator();
    model->addAction(tr("&Save AI Result as DICOM…"), this, [this] {
        const QString problem = outbox_->aiResultProblem();
        if (!problem.isEmpty()) {
            showProblem(tr("Save AI result"), problem);
            return;
        }
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Folder for the AI result (SR and heatmap)"));
        if (!dir.isEmpty())
            outbox_->saveAiResult(dir);
    });
    model->addAction(tr("Se&nd AI Result to PACS…"), this, [this] {
        const QString problem = outbox_->aiResultProblem();
        if (!problem.isEmpty()) {
            showProblem(tr("Send AI result"), problem);
            return;
        }
        const PacsSettings settings = PacsSettings::load();
        if (settings.nodes.isEmpty()) {
            showProblem(tr("Send AI result"),
                        tr("No PACS node is set up: add one in File > Query/Retrieve."));
            return;
        }
        QStringList names;
        for (const PacsNodeSettings& n : settings.nodes)
            names << n.name;
        bool ok = false;
        const QString name = QInputDialog::getItem(this, tr("Send AI Result"), tr("PACS node"),
                                                   names, 0, false, &ok);
        if (ok)
            outbox_->sendAiResult(settings.nodes[int(names.indexOf(name))]);
    });
}

void MainWindow::showRetrieveNotes(const ScanResult& scan) {
    std::set<std::string> seen;
    for (const SeriesInfo& s : scan.series) {
        if (s.kind != SourceKind::Dicom || s.slices.empty() ||
            !seen.insert(s.studyInstanceUid).second)
            continue;
        // Only folders laid out as the cache lays them out (STUDY/SERIES/SOP.dcm).
        QDir study = QFileInfo(QString::fromStdString(s.slices.front().path)).dir();
        if (!study.cdUp() ||
            study.dirName() != QString::fromStdString(net::uidFileName(s.studyInstanceUid)))
            continue;
        seriesBrowser()->setStudyNote(s.studyInstanceUid, partialRetrieveNote(study.path()));
    }
}

QString MainWindow::applyPacsSettings() {
    const QString problem = receiver_->apply(PacsSettings::load());
    feedWorklistFromReceiver();
    return problem;
}

} // namespace spinelens::ui
