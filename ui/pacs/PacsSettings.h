#pragma once
// The PACS nodes the user has set up, the local cache retrieved studies go to (with its size
// limit) and our AE title: kept in QSettings under "pacs/". A node becomes a core
// net::PacsNode for every network call.
#include "net/Pacs.h"

#include <QString>
#include <QVector>

namespace spinelens::ui {

struct PacsNodeSettings {
    QString name;     ///< what the user calls it
    QString address;  ///< dicom://AET@host:port or http(s)://host:port/dicom-web
    QString user;     ///< DICOMweb basic authentication, NAME:PASSWORD
    QString token;    ///< DICOMweb bearer token
    QString caFile;   ///< CA of an https server
    int movePort = 0; ///< DIMSE: 0 retrieves by C-GET, else C-MOVE to this port
    /// Seconds without an answer (DIMSE response, or no data over HTTP) before an operation
    /// is given up as stalled; what arrived is kept and the retrieve marked partial.
    int timeoutSeconds = 60;
    /// Throws Error when the address is malformed.
    net::PacsNode node(const QString& callingAet) const;
};

struct PacsSettings {
    QVector<PacsNodeSettings> nodes;
    QString callingAet = "SPINELENS";
    QString cacheFolder; ///< where retrieved studies are kept
    qint64 cacheLimitMb = 4096;
    /// The DICOM receiver: a storage SCP that takes studies pushed to us while the viewer runs.
    bool receiverEnabled = false;
    QString receiverAet = "SPINELENS";
    int receiverPort = 11112;
    QString receiverFolder; ///< where pushed studies land (STUDY/SERIES/SOP.dcm)

    static PacsSettings load();
    void save() const;
    /// The default cache: the user's cache location + "/pacs".
    static QString defaultCacheFolder();
    /// The default receiver store: the user's data location + "/received".
    static QString defaultReceiverFolder();
};

/// Removes the least recently retrieved studies (folders named by Study Instance UID, nothing
/// else) from the cache until it holds at most its limit, never the study named `keep`.
/// Returns how many studies were removed.
int trimCache(const PacsSettings& settings, const QString& keep = {});

/// A retrieve that ended partial (or cancelled) leaves a note in the study's cache folder,
/// saying what is missing and why; a complete retrieve removes it. `note` empty removes it.
void setPartialRetrieveNote(const QString& studyFolder, const QString& note);
/// The study was retrieved or opened now (the cache limit removes the least recently used).
void markStudyUsed(const QString& studyFolder);
/// markStudyUsed for the cached study `path` lies in, if it lies in the cache.
void markCachedStudyOpened(const QString& path);
/// The note, or empty when the study's retrieve was complete (or it is not a cached study).
QString partialRetrieveNote(const QString& studyFolder);

/// Bytes held by the cache's study folders (what trimCache counts).
qint64 cacheBytes(const PacsSettings& settings);

} // namespace spinelens::ui
