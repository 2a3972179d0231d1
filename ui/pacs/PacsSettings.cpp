#include "pacs/PacsSettings.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>

namespace spinelens::ui {

net::PacsNode PacsNodeSettings::node(const QString& callingAet) const {
    net::PacsNode n;
    n.server = net::parseServerAddress(address.trimmed().toStdString());
    n.dimse.callingAet = callingAet.toStdString();
    n.web.user = user.toStdString();
    n.web.token = token.toStdString();
    n.web.caFile = caFile.toStdString();
    // A C-MOVE port kept from an earlier DIMSE address means nothing to a DICOMweb server.
    n.movePort = n.server.protocol == net::ServerAddress::Protocol::Dimse ? movePort : 0;
    n.dimse.responseSeconds = timeoutSeconds;
    n.web.responseSeconds = timeoutSeconds;
    return n;
}

QString PacsSettings::defaultCacheFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/pacs";
}

QString PacsSettings::defaultReceiverFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/received";
}

PacsSettings PacsSettings::load() {
    QSettings s;
    PacsSettings p;
    p.callingAet = s.value("pacs/callingAet", "SPINELENS").toString();
    p.cacheFolder = s.value("pacs/cacheFolder", defaultCacheFolder()).toString();
    p.cacheLimitMb = s.value("pacs/cacheLimitMb", 4096).toLongLong();
    p.receiverEnabled = s.value("pacs/receiver/enabled", false).toBool();
    p.receiverAet = s.value("pacs/receiver/aet", p.callingAet).toString();
    p.receiverPort = s.value("pacs/receiver/port", 11112).toInt();
    p.receiverFolder = s.value("pacs/receiver/folder", defaultReceiverFolder()).toString();
    const int n = s.beginReadArray("pacs/nodes");
    for (int i = 0; i < n; ++i) {
        s.setArrayIndex(i);
        PacsNodeSettings node;
        node.name = s.value("name").toString();
        node.address = s.value("address").toString();
        node.user = s.value("user").toString();
        node.token = s.value("token").toString();
        node.caFile = s.value("caFile").toString();
        node.movePort = s.value("movePort", 0).toInt();
        node.timeoutSeconds = std::clamp(s.value("timeout", 60).toInt(), 1, 3600);
        p.nodes.push_back(node);
    }
    s.endArray();
    return p;
}

void PacsSettings::save() const {
    QSettings s;
    s.setValue("pacs/callingAet", callingAet);
    s.setValue("pacs/cacheFolder", cacheFolder);
    s.setValue("pacs/cacheLimitMb", cacheLimitMb);
    s.setValue("pacs/receiver/enabled", receiverEnabled);
    s.setValue("pacs/receiver/aet", receiverAet);
    s.setValue("pacs/receiver/port", receiverPort);
    s.setValue("pacs/receiver/folder", receiverFolder);
    s.beginWriteArray("pacs/nodes", int(nodes.size()));
    for (int i = 0; i < nodes.size(); ++i) {
        s.setArrayIndex(i);
        s.setValue("name", nodes[i].name);
        s.setValue("address", nodes[i].address);
        s.setValue("user", nodes[i].user);
        s.setValue("token", nodes[i].token);
        s.setValue("caFile", nodes[i].caFile);
        s.setValue("movePort", nodes[i].movePort);
        s.setValue("timeout", nodes[i].timeoutSeconds);
    }
    s.endArray();
    // The nodes' passwords and tokens are in this file: only its owner may read it.
    s.sync();
    if (s.status() == QSettings::NoError && QFile::exists(s.fileName()))
        QFile::setPermissions(s.fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

namespace {

// Touched when a study is retrieved or opened: the cache limit removes the least recently
// used studies first (a folder's own time does not change when it is read or refilled).
const char* const kUsedMark = ".spinelens-used";

struct CachedStudy {
    QString path;
    qint64 bytes = 0;
    QDateTime used;
};

QVector<CachedStudy> cachedStudies(const PacsSettings& settings) {
    QVector<CachedStudy> studies;
    const QDir root(settings.cacheFolder);
    static const QRegularExpression studyFolder("^[0-9]+(\\.[0-9]+)+$");
    for (const QFileInfo& dir : root.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        // Only the study folders retrieves create (named by Study Instance UID): a cache
        // folder pointed at by mistake loses nothing else.
        if (!studyFolder.match(dir.fileName()).hasMatch())
            continue;
        const QFileInfo used(QDir(dir.absoluteFilePath()).filePath(kUsedMark));
        CachedStudy s{dir.absoluteFilePath(), 0,
                      used.exists() ? used.lastModified() : dir.lastModified()};
        QDirIterator it(s.path, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            s.bytes += it.fileInfo().size();
        }
        studies.push_back(s);
    }
    return studies;
}

} // namespace

namespace {
// Hidden, so a scan of the folder does not take it for an image file.
const char* const kPartialNote = ".spinelens-partial-retrieve";
} // namespace

void markStudyUsed(const QString& studyFolder) {
    QFile f(QDir(studyFolder).filePath(kUsedMark));
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8());
}

void markCachedStudyOpened(const QString& path) {
    const PacsSettings settings = PacsSettings::load();
    const QString root = QDir(settings.cacheFolder).absolutePath() + "/";
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (!absolute.startsWith(root))
        return;
    const QString study = absolute.mid(root.size()).section('/', 0, 0);
    if (!study.isEmpty() && QFileInfo(root + study).isDir())
        markStudyUsed(root + study);
}

void setPartialRetrieveNote(const QString& studyFolder, const QString& note) {
    const QString path = QDir(studyFolder).filePath(kPartialNote);
    if (note.isEmpty()) {
        QFile::remove(path);
        return;
    }
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(note.toUtf8());
}

QString partialRetrieveNote(const QString& studyFolder) {
    QFile f(QDir(studyFolder).filePath(kPartialNote));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).trimmed();
}

qint64 cacheBytes(const PacsSettings& settings) {
    qint64 total = 0;
    for (const CachedStudy& s : cachedStudies(settings))
        total += s.bytes;
    return total;
}

int trimCache(const PacsSettings& settings, const QString& keep) {
    QVector<CachedStudy> studies = cachedStudies(settings);
    qint64 total = 0;
    for (const CachedStudy& s : studies)
        total += s.bytes;
    std::sort(studies.begin(), studies.end(),
              [](const CachedStudy& a, const CachedStudy& b) { return a.used < b.used; });
    const qint64 limit = settings.cacheLimitMb * 1024 * 1024;
    int removed = 0;
    for (const CachedStudy& s : studies) {
        if (total <= limit)
            break;
        if (!keep.isEmpty() && QFileInfo(s.path).fileName() == QFileInfo(keep).fileName())
            continue;
        if (QDir(s.path).removeRecursively()) {
            total -= s.bytes;
            ++removed;
        }
    }
    return removed;
}

} // namespace spinelens::ui
