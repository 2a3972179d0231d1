#include "runs/CaseListModel.h"

#include "ai/ProbabilityText.h"

#include "runs/ThumbnailLoader.h"

#include <algorithm>
#include <numeric>

namespace spinelens::ui {
namespace {
constexpr int kThumbnailSize = 128;
} // namespace

CaseListModel::CaseListModel(RunSession* session, QObject* parent)
    : QAbstractListModel(parent), session_(session), loader_(new ThumbnailLoader(this)) {
    // ~600 thumbnails of 128 x 128 RGB: 30 MB, several screens of scrolling back and forth.
    cache_.setMaxCost(600);
    connect(loader_, &ThumbnailLoader::ready, this, &CaseListModel::onThumbnail);
    connect(session_, &RunSession::reviewChanged, this, [this](int caseIndex) {
        const int row = rowOf(caseIndex);
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {TaggedRole, Qt::ToolTipRole});
    });
}

CaseListModel::~CaseListModel() = default;

void CaseListModel::reload() {
    cache_.clear();
    if (session_->isOpen())
        loader_->reset(session_->run().path, kThumbnailSize);
    filter_ = {};
    rebuild();
}

void CaseListModel::setFilter(const CaseFilter& filter) {
    filter_ = filter;
    rebuild();
}

void CaseListModel::setSort(CaseSort sort) {
    sort_ = sort;
    rebuild();
}

void CaseListModel::setThumbnailMap(ThumbnailMap map) {
    if (map == map_)
        return;
    map_ = map;
    cache_.clear();
    if (session_->isOpen())
        loader_->reset(session_->run().path, kThumbnailSize);
    if (!rows_.empty())
        Q_EMIT dataChanged(index(0), index(int(rows_.size()) - 1), {Qt::DecorationRole});
}

void CaseListModel::rebuild() {
    beginResetModel();
    rows_.clear();
    rowOfCase_.clear();
    if (session_->isOpen()) {
        const RunSnapshot& run = session_->run();
        const std::string tag = filter_.tag.toStdString();
        for (int i = 0; i < int(run.cases.size()); ++i) {
            const eval::CaseRecord& c = run.cases[std::size_t(i)];
            if (filter_.trueClass >= 0 && c.trueLabel != filter_.trueClass)
                continue;
            if (filter_.predicted >= 0 && c.predicted != filter_.predicted)
                continue;
            if (filter_.wrongOnly && c.correct)
                continue;
            if ((filter_.domain == CaseFilter::Domain::Inside && !c.inDomain) ||
                (filter_.domain == CaseFilter::Domain::Outside && c.inDomain))
                continue;
            if (!tag.empty() && !session_->review(i).tags.count(tag))
                continue;
            rows_.push_back(i);
        }
        auto conf = [&](int i) { return run.cases[std::size_t(i)].confidence(); };
        auto wrong = [&](int i) { return !run.cases[std::size_t(i)].correct; };
        // Stable sorts with the file order as the tie-break, so equal scores keep one order.
        switch (sort_) {
        case CaseSort::MostConfidentlyWrong:
            std::stable_sort(rows_.begin(), rows_.end(), [&](int a, int b) {
                if (wrong(a) != wrong(b))
                    return wrong(a);
                return wrong(a) ? conf(a) > conf(b) : conf(a) < conf(b);
            });
            break;
        case CaseSort::ConfidenceHigh:
            std::stable_sort(rows_.begin(), rows_.end(),
                             [&](int a, int b) { return conf(a) > conf(b); });
            break;
        case CaseSort::ConfidenceLow:
            std::stable_sort(rows_.begin(), rows_.end(),
                             [&](int a, int b) { return conf(a) < conf(b); });
            break;
        case CaseSort::LossHigh:
            std::stable_sort(rows_.begin(), rows_.end(), [&](int a, int b) {
                return run.cases[std::size_t(a)].loss > run.cases[std::size_t(b)].loss;
            });
            break;
        case CaseSort::File:
            std::stable_sort(rows_.begin(), rows_.end(), [&](int a, int b) {
                return run.cases[std::size_t(a)].path < run.cases[std::size_t(b)].path;
            });
            break;
        }
        rowOfCase_.assign(run.cases.size(), -1);
        for (int r = 0; r < int(rows_.size()); ++r)
            rowOfCase_[std::size_t(rows_[std::size_t(r)])] = r;
    }
    endResetModel();
}

int CaseListModel::caseAt(int row) const {
    return row >= 0 && row < int(rows_.size()) ? rows_[std::size_t(row)] : -1;
}

int CaseListModel::rowOf(int caseIndex) const {
    return caseIndex >= 0 && caseIndex < int(rowOfCase_.size()) ? rowOfCase_[std::size_t(caseIndex)]
                                                                : -1;
}

int CaseListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}

int CaseListModel::mapClassFor(int caseIndex) const {
    const eval::CaseRecord& c = session_->run().cases[std::size_t(caseIndex)];
    switch (map_) {
    case ThumbnailMap::Predicted:
        return c.predicted;
    case ThumbnailMap::True:
        return c.trueLabel;
    case ThumbnailMap::None:
        break;
    }
    return -1;
}

QVariant CaseListModel::data(const QModelIndex& index, int role) const {
    const int caseIndex = caseAt(index.row());
    if (caseIndex < 0 || !session_->isOpen())
        return {};
    const RunSnapshot& run = session_->run();
    const eval::CaseRecord& c = run.cases[std::size_t(caseIndex)];
    auto className = [&](int k) {
        return QString::fromStdString(run.info.classes[std::size_t(k)]);
    };
    switch (role) {
    case CaseIndexRole:
        return caseIndex;
    case CorrectRole:
        return c.correct;
    case InDomainRole:
        return c.inDomain;
    case TaggedRole: {
        const eval::Review r = session_->review(caseIndex);
        return !r.tags.empty() || !r.note.empty() || r.relabel >= 0;
    }
    case SummaryRole:
    case Qt::DisplayRole:
        return tr("true %1\n→ %2  %3%4")
            .arg(className(c.trueLabel), className(c.predicted),
                 QString::fromStdString(ai::probabilityText(c.confidence())),
                 c.inDomain ? QString() : tr("  OUT OF DOMAIN"));
    case Qt::ToolTipRole: {
        QString tip =
            tr("%1\ntrue: %2, predicted: %3 (%4), loss %5")
                .arg(QString::fromStdString(c.path), className(c.trueLabel), className(c.predicted),
                     QString::fromStdString(ai::probabilityText(c.confidence())))
                .arg(c.loss, 0, 'f', 3);
        if (c.domainChecked)
            tip += c.inDomain ? tr("\ndomain score %1: in domain").arg(c.domainScore, 0, 'f', 1)
                              : tr("\ndomain score %1: OUT OF DOMAIN, outside the model's "
                                   "training data (no finding)")
                                    .arg(c.domainScore, 0, 'f', 1);
        const eval::Review r = session_->review(caseIndex);
        if (!r.tags.empty()) {
            QStringList tags;
            for (const auto& t : r.tags)
                tags << QString::fromStdString(t);
            tip += tr("\ntags: %1").arg(tags.join(", "));
        }
        if (run.imageMissing[std::size_t(caseIndex)])
            tip += tr("\nthe image is no longer at this path");
        return tip;
    }
    case Qt::DecorationRole: {
        if (const QImage* image = cache_.object(caseIndex))
            return *image;
        ThumbnailJob job;
        job.caseIndex = caseIndex;
        job.imagePath = c.path;
        job.caseId = c.id;
        job.mapClass = mapClassFor(caseIndex);
        job.imageMissing = run.imageMissing[std::size_t(caseIndex)] != 0;
        loader_->request(job);
        return {};
    }
    default:
        return {};
    }
}

void CaseListModel::onThumbnail(int caseIndex, int mapClass, const QImage& image) {
    if (!session_->isOpen() || caseIndex >= int(session_->run().cases.size()) ||
        mapClass != mapClassFor(caseIndex))
        return;
    cache_.insert(caseIndex, new QImage(image), 1);
    ++made_;
    const int row = rowOf(caseIndex);
    if (row >= 0)
        Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole});
}

} // namespace spinelens::ui
