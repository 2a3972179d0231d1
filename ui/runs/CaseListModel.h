#pragma once
// The gallery's cases: the run's cases after the filter (true class, predicted class, tag,
// wrong only), in the chosen order, with thumbnails fetched lazily as rows come into view.
#include "runs/RunSession.h"

#include <QAbstractListModel>
#include <QCache>
#include <QImage>

namespace spinelens::ui {

class ThumbnailLoader;

enum class CaseSort {
    MostConfidentlyWrong, ///< wrong cases by falling confidence, then right ones by rising
    ConfidenceHigh,
    ConfidenceLow,
    LossHigh,
    File,
};

struct CaseFilter {
    int trueClass = -1; ///< -1 for any
    int predicted = -1;
    QString tag; ///< empty for any
    bool wrongOnly = false;
    /// The domain check: any case, only those the model could assess, or only those outside
    /// its training data.
    enum class Domain { Any, Inside, Outside } domain = Domain::Any;
};

enum class ThumbnailMap { None, Predicted, True };

class CaseListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        CaseIndexRole = Qt::UserRole + 1,
        CorrectRole,
        TaggedRole,
        SummaryRole,
        InDomainRole ///< false for a case outside the model's training data
    };

    CaseListModel(RunSession* session, QObject* parent = nullptr);
    ~CaseListModel() override;

    /// Call after the session opened a run.
    void reload();
    void setFilter(const CaseFilter& filter);
    const CaseFilter& filter() const { return filter_; }
    void setSort(CaseSort sort);
    CaseSort sort() const { return sort_; }
    void setThumbnailMap(ThumbnailMap map);
    ThumbnailMap thumbnailMap() const { return map_; }

    int caseAt(int row) const;
    int rowOf(int caseIndex) const; ///< -1 when filtered out
    std::vector<int> shownCases() const { return rows_; }
    ThumbnailLoader* thumbnails() const { return loader_; }
    int thumbnailsMade() const { return made_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

private:
    void rebuild();
    int mapClassFor(int caseIndex) const;
    void onThumbnail(int caseIndex, int mapClass, const QImage& image);

    RunSession* session_;
    ThumbnailLoader* loader_;
    CaseFilter filter_;
    CaseSort sort_ = CaseSort::MostConfidentlyWrong;
    ThumbnailMap map_ = ThumbnailMap::Predicted;
    std::vector<int> rows_;      ///< case indices in display order
    std::vector<int> rowOfCase_; ///< case index -> row, -1 when filtered out
    mutable QCache<int, QImage> cache_;
    int made_ = 0;
};

} // namespace spinelens::ui
