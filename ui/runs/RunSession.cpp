#include "runs/RunSession.h"

#include "Error.h"
#include "eval/Evaluator.h"
#include "eval/MetricsJson.h"

#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent>

#include <filesystem>

namespace spinelens::ui {

QStringList predefinedReviewTags() {
    return {QStringLiteral("ambiguous"), QStringLiteral("label error"), QStringLiteral("artefact"),
            QStringLiteral("implant missed")};
}

bool looksLikeRunFile(const QString& path) {
    QFile file(path);
    if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly))
        return false;
    return file.read(16) == QByteArray("SQLite format 3\0", 16);
}

namespace {

struct Opened {
    std::shared_ptr<RunSnapshot> snapshot;
    std::unique_ptr<eval::RunFile> writer;
    QString error;
};

/// Reads everything the browser needs. Runs on a worker thread.
std::shared_ptr<Opened> readRun(const QString& path) {
    auto result = std::make_shared<Opened>();
    try {
        if (!QFileInfo::exists(path))
            throw Error("no such file", path.toStdString());
        std::unique_ptr<eval::RunFile> file;
        try {
            file = eval::RunFile::open(path.toStdString(), true);
        } catch (const Error&) {
            // A read-only copy (a colleague's run on a share) can still be browsed; a file
            // that is not a run at all fails again here with the real reason.
            file = eval::RunFile::open(path.toStdString(), false);
        }
        auto s = std::make_shared<RunSnapshot>();
        s->path = path;
        s->info = file->info();
        s->cases = file->cases();
        s->reviews = file->reviews();
        const std::size_t k = s->info.classes.size();
        for (const auto& c : s->cases)
            if (c.probabilities.size() != k || c.trueLabel < 0 || c.trueLabel >= int(k) ||
                c.predicted < 0 || c.predicted >= int(k))
                throw Error("case " + c.path + " does not fit the run's " + std::to_string(k) +
                                " classes",
                            path.toStdString());
        const std::string stored = file->metricsJson();
        if (!stored.empty() && s->info.complete) {
            s->metrics = eval::metricsFromJson(nlohmann::json::parse(stored), path.toStdString());
            s->metricsStored = true;
        } else if (!s->cases.empty()) {
            s->metrics = eval::runMetrics(s->info, s->cases, path.toStdString());
        }
        if (!s->info.complete)
            s->warnings << QObject::tr("The run is unfinished: %1 of %2 cases evaluated "
                                       "(figures are for those cases; run evaluate again to "
                                       "resume).")
                               .arg(s->cases.size())
                               .arg(s->info.plannedCases);
        s->imageMissing.resize(s->cases.size(), 0);
        std::error_code ec;
        for (std::size_t i = 0; i < s->cases.size(); ++i)
            if (!std::filesystem::exists(s->cases[i].path, ec)) {
                s->imageMissing[i] = 1;
                ++s->missingImages;
            }
        if (s->missingImages > 0)
            s->warnings << QObject::tr("%1 of %2 images are no longer where the run found them "
                                       "(moved or deleted since the run; first: %3). Their "
                                       "figures and stored heatmaps are still shown.")
                               .arg(s->missingImages)
                               .arg(s->cases.size())
                               .arg(QString::fromStdString(
                                   s->cases[std::size_t(std::find(s->imageMissing.begin(),
                                                                  s->imageMissing.end(), 1) -
                                                        s->imageMissing.begin())]
                                       .path));
        const std::vector<eval::SkippedInput> skipped = file->skipped();
        if (!skipped.empty()) {
            QStringList first;
            for (std::size_t i = 0; i < skipped.size() && i < 3; ++i)
                first << QString::fromStdString(skipped[i].path + ": " + skipped[i].reason);
            s->warnings << QObject::tr("%n input(s) were left out when the run was made, so the "
                                       "figures do not cover them: %1%2",
                                       "", int(skipped.size()))
                               .arg(first.join("; "), skipped.size() > 3 ? "; …" : "");
        }
        result->snapshot = std::move(s);
        // Probe writability now so the review panel can say so before the first click.
        try {
            result->writer = eval::RunFile::open(path.toStdString(), true);
        } catch (const Error&) {
            result->snapshot->warnings
                << QObject::tr("The run file is read-only here: review edits cannot be saved.");
        }
    } catch (const std::exception& e) {
        result->error = QString::fromUtf8(e.what());
    }
    return result;
}

} // namespace

RunSession::RunSession(QObject* parent) : QObject(parent) {}
RunSession::~RunSession() = default;

void RunSession::open(const QString& path) {
    busy_ = true;
    // A newer open replaces this one: its result is dropped.
    opening_.run([path] { return readRun(path); },
                 [this](const std::shared_ptr<Opened>& r) {
                     busy_ = false;
                     if (!r->error.isEmpty()) {
                         Q_EMIT failed(r->error);
                         return;
                     }
                     snapshot_ = r->snapshot;
                     writer_ = std::move(r->writer);
                     Q_EMIT opened();
                 });
}

eval::Review RunSession::review(int caseIndex) const {
    if (!snapshot_ || caseIndex < 0 || caseIndex >= int(snapshot_->cases.size()))
        return {};
    const auto it = snapshot_->reviews.find(snapshot_->cases[std::size_t(caseIndex)].id);
    return it == snapshot_->reviews.end() ? eval::Review{} : it->second;
}

template <typename Write> bool RunSession::writeReview(int caseIndex, Write write) {
    if (!snapshot_ || caseIndex < 0 || caseIndex >= int(snapshot_->cases.size()))
        return false;
    if (!writer_) {
        Q_EMIT problem(tr("%1: the run file is read-only; the review edit was not saved.")
                           .arg(snapshot_->path));
        return false;
    }
    const std::int64_t id = snapshot_->cases[std::size_t(caseIndex)].id;
    try {
        write(*writer_, id, snapshot_->reviews[id]);
    } catch (const std::exception& e) {
        Q_EMIT problem(tr("The review edit was not saved: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    Q_EMIT reviewChanged(caseIndex);
    return true;
}

bool RunSession::setTags(int caseIndex, const std::set<std::string>& tags) {
    return writeReview(caseIndex, [&](eval::RunFile& f, std::int64_t id, eval::Review& r) {
        f.setTags(id, tags);
        r.tags = tags;
    });
}

bool RunSession::setNote(int caseIndex, const QString& note) {
    return writeReview(caseIndex, [&](eval::RunFile& f, std::int64_t id, eval::Review& r) {
        f.setNote(id, note.toStdString());
        r.note = note.toStdString();
    });
}

bool RunSession::setRelabel(int caseIndex, int classIndex) {
    return writeReview(caseIndex, [&](eval::RunFile& f, std::int64_t id, eval::Review& r) {
        f.setRelabel(id, classIndex);
        r.relabel = classIndex;
    });
}

QStringList RunSession::allTags() const {
    QStringList tags = predefinedReviewTags();
    if (!snapshot_)
        return tags;
    QStringList free;
    for (const auto& [id, review] : snapshot_->reviews)
        for (const auto& t : review.tags) {
            const QString tag = QString::fromStdString(t);
            if (!tags.contains(tag) && !free.contains(tag))
                free << tag;
        }
    free.sort();
    return tags + free;
}

} // namespace spinelens::ui
