#include "worklist/WorklistModel.h"

#include "util/DisplayText.h"

#include <QBrush>
#include <QColor>

namespace spinelens::ui {
namespace {

int laneRank(worklist::Lane lane) {
    switch (lane) {
    case worklist::Lane::Flagged:
        return 0;
    case worklist::Lane::NotFlagged:
        return 1;
    case worklist::Lane::NotAssessed:
        return 2;
    default:
        return 3;
    }
}

bool scored(const worklist::Entry& e) {
    return e.triage.lane == worklist::Lane::Flagged || e.triage.lane == worklist::Lane::NotFlagged;
}

QString date(const std::string& d) {
    return d.size() == 8 ? q(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2)) : q(d);
}

} // namespace

QString laneTitle(worklist::Lane lane) {
    switch (lane) {
    case worklist::Lane::Flagged:
        return QObject::tr("Flagged");
    case worklist::Lane::NotFlagged:
        return QObject::tr("Not flagged");
    case worklist::Lane::NotAssessed:
        return QObject::tr("AI could not assess");
    default:
        return QObject::tr("Waiting for triage");
    }
}

WorklistModel::WorklistModel(QObject* parent) : QAbstractTableModel(parent) {}

void WorklistModel::setEntries(std::vector<worklist::Entry> entries) {
    beginResetModel();
    entries_ = std::move(entries);
    endResetModel();
}

void WorklistModel::upsert(worklist::Entry entry) {
    const int row = rowOf(entry.studyUid);
    if (row >= 0) {
        entries_[std::size_t(row)] = std::move(entry);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        return;
    }
    const int end = int(entries_.size());
    beginInsertRows({}, end, end);
    entries_.push_back(std::move(entry));
    endInsertRows();
}

int WorklistModel::rowOf(const std::string& studyUid) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].studyUid == studyUid)
            return int(i);
    return -1;
}

int WorklistModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(entries_.size());
}

int WorklistModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorklistModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* const titles[] = {"Lane",     "Patient",   "Patient ID", "Study date",
                                         "Modality", "Model",     "Score",      "Flag",
                                         "State",    "Decided by"};
    return tr(titles[section]);
}

QVariant WorklistModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(entries_.size()))
        return {};
    const worklist::Entry& e = entries_[std::size_t(index.row())];
    const worklist::TriageOutcome& t = e.triage;
    if (role == StudyRole)
        return q(e.studyUid);
    if (role == SortRole) {
        switch (index.column()) {
        case Lane:
            // Within a lane, by score: the list's own priority order.
            return laneRank(t.lane) * 10.0 + (1.0 - (scored(e) ? t.score : 0.0));
        case Score:
            return scored(e) ? t.score : -1.0;
        case Flag:
            return t.flagged ? 1 : 0;
        case StudyDate:
            return q(e.studyDate);
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Lane)
        return QBrush(t.lane == worklist::Lane::Flagged       ? QColor(200, 60, 30)
                      : t.lane == worklist::Lane::NotAssessed ? QColor(150, 110, 0)
                                                              : QColor(90, 90, 90));
    if (role == Qt::ToolTipRole) {
        if (!t.problem.empty())
            return q(t.problem);
        if (!t.syntheticNote.empty())
            return q(t.syntheticNote);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Lane:
        return laneTitle(t.lane);
    case Patient:
        return displayPersonName(e.patientName);
    case PatientId:
        return q(e.patientId);
    case StudyDate:
        return date(e.studyDate);
    case Modality:
        return q(e.modalities).replace('\\', ", ");
    case Model:
        return t.model.empty() ? QString() : q(t.model + " " + t.modelVersion);
    case Score:
        // No score for what the AI could not assess: never a number that looks like a finding.
        return scored(e) ? QString::number(t.score, 'f', 2) : QString::fromUtf8("\u2014");
    case Flag:
        return t.flagged ? tr("FLAG") : QString();
    case State:
        return e.state == worklist::ReviewState::Decided
                   ? tr("decided: %1").arg(q(e.decision ? e.decision->verdict : ""))
                   : q(worklist::stateName(e.state));
    case DecidedBy:
        return e.decision ? q(e.decision->user) : QString();
    default:
        return {};
    }
}

WorklistFilter::WorklistFilter(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(WorklistModel::SortRole);
}

void WorklistFilter::setState(const QString& s) {
    state_ = s;
    invalidateFilter();
}
void WorklistFilter::setLane(const QString& l) {
    lane_ = l;
    invalidateFilter();
}
void WorklistFilter::setModality(const QString& m) {
    modality_ = m;
    invalidateFilter();
}
void WorklistFilter::setDateFrom(const QString& d) {
    dateFrom_ = d;
    invalidateFilter();
}

bool WorklistFilter::filterAcceptsRow(int row, const QModelIndex&) const {
    const auto* m = static_cast<const WorklistModel*>(sourceModel());
    if (row >= int(m->entries().size()))
        return false;
    const worklist::Entry& e = m->entries()[std::size_t(row)];
    if (!state_.isEmpty() && q(worklist::stateName(e.state)) != state_)
        return false;
    if (!lane_.isEmpty() && q(worklist::laneName(e.triage.lane)) != lane_)
        return false;
    if (!modality_.isEmpty() && !q(e.modalities).split('\\').contains(modality_))
        return false;
    if (!dateFrom_.isEmpty() && q(e.studyDate) < dateFrom_)
        return false;
    return true;
}

} // namespace spinelens::ui
