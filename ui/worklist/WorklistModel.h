#pragma once
// The worklist's rows for a table: one per study, in the database's priority order (flagged
// first, then by score), with a proxy that filters by state, lane, modality and date and lets
// the user re-sort by any column (by value, not by text: scores as numbers).
#include "worklist/Worklist.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <vector>

namespace spinelens::ui {

class WorklistModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Lane,
        Patient,
        PatientId,
        StudyDate,
        Modality,
        Model,
        Score,
        Flag,
        State,
        DecidedBy,
        ColumnCount
    };
    /// The value sorted by (the priority rank for Lane, the score as a number).
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int StudyRole = Qt::UserRole + 2;

    explicit WorklistModel(QObject* parent = nullptr);
    void setEntries(std::vector<worklist::Entry> entries);
    /// One entry changed or arrived (triage just finished): that row only, so a long list is
    /// not re-read for every study.
    void upsert(worklist::Entry entry);
    const std::vector<worklist::Entry>& entries() const { return entries_; }
    /// The row of a study, or -1.
    int rowOf(const std::string& studyUid) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

private:
    std::vector<worklist::Entry> entries_;
};

class WorklistFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit WorklistFilter(QObject* parent = nullptr);
    void setState(const QString& state);       ///< "", "new", "in-review", "decided"
    void setLane(const QString& lane);         ///< "", "flagged", "not-flagged", ...
    void setModality(const QString& modality); ///< "" or e.g. "MR"
    void setDateFrom(const QString& yyyymmdd); ///< "" or a study date lower bound

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    QString state_, lane_, modality_, dateFrom_;
};

/// "flagged" -> "Flagged", "not-assessed" -> "AI could not assess", ...
QString laneTitle(worklist::Lane lane);

} // namespace spinelens::ui
