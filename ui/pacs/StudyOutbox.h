#pragma once
// What leaves the viewer for the study in view: the AI result as standard DICOM (the TID 1500
// SR and the Grad-CAM Secondary Capture, saved to a folder or sent to a PACS node), and a
// de-identified copy of the study for research. The work runs off the GUI thread (the model
// on the AI's own worker, so it never runs twice at once); each job ends in one `finished`.
#include "net/Pacs.h"
#include "out/Anonymiser.h"
#include "pacs/PacsSettings.h"
#include "util/LatestWork.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace spinelens::ui {

class ViewerSession;

class StudyOutbox : public QObject {
    Q_OBJECT
public:
    explicit StudyOutbox(ViewerSession* session, QObject* parent = nullptr);

    /// Why the AI result of the series in view cannot be made now (no model, no series, a
    /// PNG/JPEG, still loading), or empty.
    QString aiResultProblem() const;
    /// Writes ai-report.dcm (and ai-heatmap.dcm when there is a finding) into `folder`.
    void saveAiResult(const QString& folder);
    /// Writes them into a new folder of the cache's outbox, sends them to `node`, and removes
    /// that folder again (sent or not: it holds patient data).
    void sendAiResult(const PacsNodeSettings& node);
    /// A de-identified copy of every image of the study in view, as
    /// folder/series-NNN/image-NNNN.dcm.
    void exportDeidentified(const QString& folder, const out::AnonymiseOptions& options);
    bool isBusy() const { return busy_; }

Q_SIGNALS:
    /// `ok` false: `message` says what failed and names the file, node or series at fault.
    /// `paths`: the files written (empty when nothing was; after a send, files since removed).
    void finished(bool ok, const QString& title, const QString& message, const QStringList& paths);

private:
    struct Outcome {
        bool ok = false;
        QString message;
        QStringList paths;
    };
    void makeAiResult(const QString& folder, const std::optional<PacsNodeSettings>& node);
    void sendMade(const Outcome& made, const net::PacsNode& node, const QString& nodeName,
                  const QString& folder);
    void done(const QString& title, const Outcome& outcome);
    /// Says why a job was not started; a job already running stays the one running.
    void refuse(const QString& title, const QString& why);

    ViewerSession* session_;
    LatestWork models_;                                   ///< on the AI's worker
    LatestWork files_{this, WorkPriority::Background};    ///< de-identified export
    LatestWork network_{this, WorkPriority::Interactive}; ///< sending to a PACS
    bool busy_ = false;
};

} // namespace spinelens::ui
