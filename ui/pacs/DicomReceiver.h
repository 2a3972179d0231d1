#pragma once
// The viewer's DICOM receiver: a storage SCP (core net::StorageReceiver) that runs while the
// viewer does, as File > PACS Settings says (AE title, port, store folder). What arrives is
// announced on the GUI thread; the worklist triages it.
#include "pacs/PacsSettings.h"

#include <QObject>
#include <QString>

#include <memory>

namespace spinelens::net {
class StorageReceiver;
class StoreFolder;
} // namespace spinelens::net

namespace spinelens::ui {

class DicomReceiver : public QObject {
    Q_OBJECT
public:
    explicit DicomReceiver(QObject* parent = nullptr);
    ~DicomReceiver() override;

    /// Starts, restarts or stops the receiver as the settings say. Returns the problem in
    /// words (port taken, folder not writable), or empty.
    QString apply(const PacsSettings& settings);
    bool isRunning() const { return receiver_ != nullptr; }
    /// "Receiving as AET on port N into FOLDER", or why not.
    QString statusText() const { return status_; }
    QString folder() const { return folder_; }
    int received() const { return received_; }

Q_SIGNALS:
    /// One object is complete in the store (GUI thread).
    void objectReceived(const QString& path, const QString& studyUid);
    /// An object could not be stored, or an association failed (GUI thread).
    void problem(const QString& message);

private:
    void stop();
    std::unique_ptr<net::StoreFolder> store_;
    std::unique_ptr<net::StorageReceiver> receiver_;
    QString status_;
    QString folder_;
    /// What the running receiver was started with: unchanged settings do not restart it
    /// (a restart waits for a push in progress).
    QString runningAet_;
    int runningPort_ = 0;
    int received_ = 0;
};

} // namespace spinelens::ui
