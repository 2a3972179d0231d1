#pragma once
// What the model says about the image in view, and what the model is: a bar per class with
// its probability (predicted class marked), the model's name, version, intended use and
// training data, "synthetic"/"untrained" in plain words, and the heatmap controls.
#include <QString>
#include <QStringList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;

namespace spinelens::ui {

/// Everything the panel shows, as plain values (tested without a display).
struct ConfidenceState {
    bool aiOn = false;
    QString offReason; ///< why AI is off
    QString headline;  ///< name, version and warnings
    QString intendedUse;
    QString trainingData;
    QStringList classes;
    std::vector<float> probabilities; ///< empty while nothing is classified
    int predicted = -1;
    bool busy = false;
    QString message; ///< last problem (explanation unavailable, bad image)
};

class ProbabilityBars : public QWidget {
    Q_OBJECT
public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    void setValues(const QStringList& classes, const std::vector<float>& probabilities,
                   int predicted);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent*) override;

private:
    QStringList classes_;
    std::vector<float> probabilities_;
    int predicted_ = -1;
};

class ConfidencePanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfidencePanel(QWidget* parent = nullptr);

    void setState(const ConfidenceState& state);
    const ConfidenceState& state() const { return state_; }
    /// The text shown in the model box (for tests and screen readers).
    QString modelText() const;

    bool heatmapEnabled() const;
    void setHeatmapEnabled(bool on);
    int methodIndex() const; ///< 0 Grad-CAM, 1 Grad-CAM++, 2 occlusion
    int classChoice() const; ///< -1 predicted, else class index
    float opacity() const;   ///< 0..1

Q_SIGNALS:
    /// Show-heatmap or opacity changed: only the display changes.
    void heatmapDisplayChanged();
    /// Method or explained class changed: the explanation must be computed again.
    void explanationChanged();

private:
    ConfidenceState state_;
    QLabel* model_;
    QLabel* status_;
    ProbabilityBars* bars_;
    QCheckBox* heatmap_;
    QComboBox* method_;
    QComboBox* class_;
    QSlider* opacity_;
};

} // namespace spinelens::ui
