#include "pacs/StudyOutbox.h"

#include "util/DisplayText.h"

#include "Error.h"
#include "ViewerSession.h"
#include "ai/ModelPackage.h"
#include "net/Pacs.h"
#include "report/AiReportMaker.h"

#include <QDateTime>
#include <QDir>

#include <set>

namespace spinelens::ui {
namespace {

QString describe(const report::ReportOutcome& made, const SeriesInfo& series) {
    const out::AiResult& r = made.result;
    QString text = QObject::tr("AI result for %1 by %2 %3")
                       .arg(q(series.displayName()), q(r.algorithm.name), q(r.algorithm.version));
    if (r.assessed) {
        const auto& best = r.classes[std::size_t(r.predicted)];
        text += QObject::tr(": %1 (%2)").arg(q(best.name)).arg(best.probability, 0, 'f', 2);
    } else {
        text += QObject::tr(": no finding, %1").arg(q(r.domainStatement));
    }
    if (r.assessed && series.slices.size() > 1)
        text += QObject::tr(" (per class the highest probability over the slices the model "
                            "can assess)");
    if (r.algorithm.synthetic)
        text += QObject::tr(". Trained on synthetic data");
    if (!r.algorithm.clinicallyValidated)
        text += QObject::tr(". Not clinically validated");
    text += QObject::tr(".\nReport: %1").arg(q(made.report.path));
    if (made.heatmap)
        text += QObject::tr("\nHeatmap (slice %1): %2")
                    .arg(made.heatmapSlice + 1)
                    .arg(q(made.heatmap->path));
    text += QObject::tr("\nBoth are new series of study %1.").arg(q(made.report.studyUid));
    return text;
}

} // namespace

StudyOutbox::StudyOutbox(ViewerSession* session, QObject* parent)
    : QObject(parent), session_(session),
      models_(this, WorkPriority::Background, session->ai()->modelPool()) {}

QString StudyOutbox::aiResultProblem() const {
    const SeriesInfo* s = session_->series();
    if (!s)
        return tr("No series is open.");
    if (s->kind == SourceKind::Raster)
        return tr("%1 is a PNG/JPEG image: a DICOM AI result needs a DICOM image, with a "
                  "patient and a study to file it under.")
            .arg(q(s->displayName()));
    if (!session_->ai()->model())
        return tr("No model is loaded (%1).").arg(session_->ai()->unavailableReason());
    if (!session_->seriesComplete())
        return tr("%1 is still loading.").arg(q(s->displayName()));
    const QString modality = session_->modalityProblem();
    if (!modality.isEmpty())
        return modality;
    if (busy_)
        return tr("Another export is still running.");
    return {};
}

void StudyOutbox::saveAiResult(const QString& folder) {
    makeAiResult(folder, std::nullopt);
}

void StudyOutbox::sendAiResult(const PacsNodeSettings& node) {
    const PacsSettings settings = PacsSettings::load();
    const QString folder =
        QDir(settings.cacheFolder)
            .filePath("outbox/" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz"));
    makeAiResult(folder, node);
}

void StudyOutbox::makeAiResult(const QString& folder,
                               const std::optional<PacsNodeSettings>& nodeSettings) {
    const QString title = nodeSettings ? tr("Send AI result") : tr("Save AI result");
    const QString problem = aiResultProblem();
    if (!problem.isEmpty()) {
        refuse(title, problem);
        return;
    }
    std::optional<net::PacsNode> node;
    if (nodeSettings) {
        try {
            node = nodeSettings->node(PacsSettings::load().callingAet);
        } catch (const Error& e) {
            refuse(title, tr("%1: %2").arg(nodeSettings->name, q(e.what())));
            return;
        }
    }
    report::ReportRequest request;
    request.package = session_->ai()->model();
    request.volume = session_->volume();
    request.anyModality = session_->anyModality();
    request.method = session_->explainChoice().method;
    request.outputFolder = folder.toStdString();
    request.software = std::string("SpineLens ") + SPINELENS_VERSION;
    // The series is copied: the session may move on to another one while this runs.
    auto series = std::make_shared<const SeriesInfo>(*session_->series());
    busy_ = true;
    // The model runs on the AI's worker; the send then goes from a thread of its own, so a
    // slow or dead PACS never holds up the model.
    models_.run(
        [request, series] {
            Outcome o;
            try {
                report::ReportRequest forSeries = request;
                forSeries.series = series.get();
                const report::ReportOutcome made = report::makeAiReport(forSeries);
                o.paths << q(made.report.path);
                if (made.heatmap)
                    o.paths << q(made.heatmap->path);
                o.message = describe(made, *series);
                o.ok = true;
            } catch (const Error& e) {
                o.message = q(e.what());
            } catch (const std::exception& e) {
                o.message = QObject::tr("The model failed on this series: %1").arg(e.what());
            }
            return o;
        },
        [this, title, node, nodeSettings, folder](const Outcome& made) {
            if (!made.ok || !node) {
                if (node) // the outbox holds patient data: nothing made there stays
                    QDir(folder).removeRecursively();
                done(title, made);
                return;
            }
            sendMade(made, *node, nodeSettings->name, folder);
        });
}

void StudyOutbox::sendMade(const Outcome& made, const net::PacsNode& node, const QString& nodeName,
                           const QString& folder) {
    network_.run(
        [made, node, nodeName, folder] {
            Outcome o;
            std::vector<std::string> files;
            for (const QString& p : made.paths)
                files.push_back(p.toStdString());
            const QString where = QString("%1 (%2)").arg(nodeName, q(node.server.text()));
            try {
                const net::SendResult sent = net::send(node, files);
                if (sent.failures.empty()) {
                    o.ok = true;
                    o.message =
                        QObject::tr("Sent to %1: %n object(s).\n", "", sent.sent).arg(where) +
                        made.message;
                } else {
                    QStringList why;
                    for (const auto& [file, reason] : sent.failures)
                        why << q(file + ": " + reason);
                    o.message = QObject::tr("%1 took %2 of %3 object(s) of the AI result; not "
                                            "sent:\n%4")
                                    .arg(where)
                                    .arg(sent.sent)
                                    .arg(files.size())
                                    .arg(why.join('\n'));
                }
            } catch (const Error& e) {
                o.message = QObject::tr("%1: %2").arg(where, q(e.what()));
            } catch (const std::exception& e) {
                o.message = QObject::tr("%1: %2").arg(where, e.what());
            }
            // The outbox holds patient data: what was made for sending does not stay.
            QDir(folder).removeRecursively();
            return o;
        },
        [this](const Outcome& o) { done(tr("Send AI result"), o); });
}

void StudyOutbox::exportDeidentified(const QString& folder, const out::AnonymiseOptions& options) {
    const QString title = tr("Export de-identified copy");
    const SeriesInfo* current = session_->series();
    const auto scan = session_->scanResult();
    if (!current || !scan) {
        refuse(title, tr("No study is open."));
        return;
    }
    if (current->kind != SourceKind::Dicom) {
        refuse(title, tr("%1 is a PNG/JPEG image: there is no DICOM header to de-identify.")
                          .arg(q(current->displayName())));
        return;
    }
    if (busy_) {
        refuse(title, tr("Another export is still running."));
        return;
    }
    // Every DICOM image of the study in view, series by series, each file once (a multi-frame
    // file is one slice per frame).
    std::vector<std::vector<std::string>> seriesFiles;
    for (const SeriesInfo& s : scan->series) {
        if (s.kind != SourceKind::Dicom || s.studyInstanceUid != current->studyInstanceUid)
            continue;
        std::vector<std::string> files;
        std::set<std::string> seen;
        for (const auto& slice : s.slices)
            if (seen.insert(slice.path).second)
                files.push_back(slice.path);
        seriesFiles.push_back(std::move(files));
    }
    busy_ = true;
    files_.run(
        [folder, options, seriesFiles] {
            Outcome o;
            out::Anonymiser anonymiser(options);
            QStringList failures;
            const QDir root(folder);
            for (std::size_t s = 0; s < seriesFiles.size(); ++s) {
                const QString sub = QString("series-%1").arg(s + 1, 3, 10, QChar('0'));
                if (!root.mkpath(sub)) {
                    failures << QObject::tr("%1: cannot create the folder").arg(root.filePath(sub));
                    break;
                }
                for (std::size_t i = 0; i < seriesFiles[s].size(); ++i) {
                    const QString target =
                        root.filePath(sub + QString("/image-%1.dcm").arg(i + 1, 4, 10, QChar('0')));
                    try {
                        anonymiser.anonymiseFile(seriesFiles[s][i], target.toStdString());
                        o.paths << target;
                    } catch (const Error& e) {
                        failures << q(e.what());
                    } catch (const std::exception& e) {
                        failures << q(seriesFiles[s][i] + ": " + e.what());
                    }
                }
            }
            o.ok = failures.isEmpty() && !o.paths.isEmpty();
            o.message =
                QObject::tr("%n de-identified file(s) written to %1 (%2).\n", "", o.paths.size())
                    .arg(folder, q(anonymiser.methodText())) +
                QObject::tr("Pixel data is left as it is: text burned into the images is NOT "
                            "removed. Check the images before sharing them.");
            if (!failures.isEmpty())
                o.message += "\n" + QObject::tr("Not written:\n") + failures.join('\n');
            return o;
        },
        [this, title](const Outcome& o) { done(title, o); });
}

void StudyOutbox::done(const QString& title, const Outcome& outcome) {
    busy_ = false;
    Q_EMIT finished(outcome.ok, title, outcome.message, outcome.paths);
}

void StudyOutbox::refuse(const QString& title, const QString& why) {
    // Nothing was started, so a job that is running stays marked as running.
    Q_EMIT finished(false, title, why, {});
}

} // namespace spinelens::ui
