#pragma once
// A thin strip beside the slice scroll bar: one mark per slice, coloured by how strongly the
// model flags it, so a reader jumps straight to the flagged slices. Click to go there.
#include <QWidget>

#include <vector>

namespace spinelens::ui {

class SliceStrip : public QWidget {
    Q_OBJECT
public:
    explicit SliceStrip(QWidget* parent = nullptr);

    /// Per-slice flag strength in [0, 1], or -1 for a slice the model could not assess (outside
    /// its training data); empty hides the marks.
    void setValues(const std::vector<float>& values);
    const std::vector<float>& values() const { return values_; }
    void setCurrentSlice(int slice);
    /// The slice a click at height y selects.
    int sliceAt(int y) const;
    QSize sizeHint() const override { return {14, 200}; }

Q_SIGNALS:
    void sliceClicked(int slice);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;

private:
    std::vector<float> values_;
    int current_ = 0;
};

} // namespace spinelens::ui
