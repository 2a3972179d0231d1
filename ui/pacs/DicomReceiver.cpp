#include "pacs/DicomReceiver.h"

#include "Error.h"
#include "net/StorageReceiver.h"
#include "net/StoreFolder.h"

#include <QPointer>

namespace spinelens::ui {

DicomReceiver::DicomReceiver(QObject* parent) : QObject(parent) {
    status_ = tr("The DICOM receiver is off (File > PACS Settings).");
}

DicomReceiver::~DicomReceiver() {
    stop();
}

void DicomReceiver::stop() {
    if (receiver_)
        receiver_->stop();
    receiver_.reset();
    store_.reset();
}

QString DicomReceiver::apply(const PacsSettings& settings) {
    if (receiver_ && settings.receiverEnabled && settings.receiverAet == runningAet_ &&
        settings.receiverPort == runningPort_ && settings.receiverFolder == folder_)
        return {};
    stop();
    if (!settings.receiverEnabled) {
        status_ = tr("The DICOM receiver is off (File > PACS Settings).");
        return {};
    }
    net::ReceiverSettings rs;
    rs.aeTitle = settings.receiverAet.toStdString();
    rs.port = settings.receiverPort;
    QPointer<DicomReceiver> self(this);
    try {
        store_ = std::make_unique<net::StoreFolder>(settings.receiverFolder.toStdString());
        // The handlers run on the receiver's thread: they only post to the GUI thread.
        receiver_ = std::make_unique<net::StorageReceiver>(
            rs, *store_,
            [self](const net::StoredObject& o) {
                const QString path = QString::fromStdString(o.path);
                const QString study = QString::fromStdString(o.studyUid);
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, path, study] {
                        if (!self)
                            return;
                        ++self->received_;
                        Q_EMIT self->objectReceived(path, study);
                    },
                    Qt::QueuedConnection);
            },
            [self](const std::string& problem) {
                const QString text = QString::fromStdString(problem);
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, text] {
                        if (self)
                            Q_EMIT self->problem(self->tr("DICOM receiver: %1").arg(text));
                    },
                    Qt::QueuedConnection);
            });
        receiver_->start();
    } catch (const Error& e) {
        receiver_.reset();
        store_.reset();
        status_ =
            tr("The DICOM receiver could not start: %1").arg(QString::fromStdString(e.what()));
        return status_;
    }
    folder_ = settings.receiverFolder;
    runningAet_ = settings.receiverAet;
    runningPort_ = settings.receiverPort;
    status_ = tr("Receiving as %1 on port %2 into %3.")
                  .arg(settings.receiverAet)
                  .arg(settings.receiverPort)
                  .arg(settings.receiverFolder);
    return {};
}

} // namespace spinelens::ui
