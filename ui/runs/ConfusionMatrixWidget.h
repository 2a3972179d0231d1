#pragma once
// The confusion matrix as the X-ray study's Figure 4 draws it: true class per row, predicted
// per column, each cell with its count and row percent, coloured by the row percent. A click
// on a cell (diagonal ones too) asks for exactly that cell's cases.
#include <QWidget>

#include <vector>

namespace spinelens::ui {

class ConfusionMatrixWidget : public QWidget {
    Q_OBJECT
public:
    explicit ConfusionMatrixWidget(QWidget* parent = nullptr);

    void setMatrix(const QStringList& classes, const std::vector<std::vector<int>>& counts,
                   const std::vector<std::vector<double>>& rowPercent);
    void setSelectedCell(int trueClass, int predicted); ///< -1, -1 for none
    /// Where a cell is drawn, in widget pixels (tests click there).
    QRect cellRect(int trueClass, int predicted) const;
    int classCount() const { return int(classes_.size()); }

    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellClicked(int trueClass, int predicted);

protected:
    void paintEvent(QPaintEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    QRect gridRect() const;

    QStringList classes_;
    std::vector<std::vector<int>> counts_;
    std::vector<std::vector<double>> percent_;
    int selectedTrue_ = -1, selectedPredicted_ = -1;
};

} // namespace spinelens::ui
