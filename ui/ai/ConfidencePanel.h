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
class QPushButton;
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
    QString calibration;              ///< how the confidence is calibrated, or that it is not
    QString domainCheck;              ///< what the domain check is, or that the model has none
    std::vector<float> probabilities; ///< empty while nothing is classified
    int predicted = -1;
    /// The image in view is outside the model's training data: no finding is shown unless the
    /// user reveals the raw output, which is then marked "out of domain".
    bool outOfDomain = false;
    double domainScore = 0, domainThreshold = 0;
    QString domainReason; ///< set when the image's shape, not its score, put it outside
    bool revealOutOfDomain = false;
    bool busy = false;
    QString message; ///< last problem (explanation unavailable, bad image)
    /// AI results stored with the study in view (our SRs, e.g. from the PACS), one sentence
    /// each: shown whether or not a model is loaded now.
    QStringList storedResults;
};

class ProbabilityBars : public QWidget {
    Q_OBJECT
public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    void setValues(const QStringList& classes, const std::vector<float>& probabilities,
                   int predicted);
    /// Grey bars under an "out of domain" mark: raw output shown on request, not a finding.
    void setOutOfDomain(bool outOfDomain);
    QSize sizeHint() const override;
    /// As tall as its rows: a crowded dock scrolls rather than squeezing the bars away.
    QSize minimumSizeHint() const override { return {160, sizeHint().height()}; }

protected:
    void paintEvent(QPaintEvent*) override;

private:
    QStringList classes_;
    std::vector<float> probabilities_;
    int predicted_ = -1;
    bool outOfDomain_ = false;
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
    /// The heatmap scaled by the explained class's probability (an unlikely class's map is
    /// faint) rather than by the map's own peak.
    bool scaleByProbability() const;
    /// The text of the out-of-domain notice (empty when it is hidden), for tests.
    QString outOfDomainText() const;
    /// The stored results' text as shown (empty when the study has none), for tests.
    QString storedResultsText() const;
    /// Presses "Show raw output anyway" (or takes it back).
    void setRevealOutOfDomain(bool reveal);

Q_SIGNALS:
    /// Show-heatmap or opacity changed: only the display changes.
    void heatmapDisplayChanged();
    /// Method or explained class changed: the explanation must be computed again.
    void explanationChanged();
    /// The user asked to see (or hide again) the raw output for an out-of-domain image.
    void revealOutOfDomainChanged(bool reveal);

private:
    ConfidenceState state_;
    QLabel* model_;
    QLabel* status_;
    QLabel* stored_;
    QLabel* outOfDomain_;
    QPushButton* reveal_;
    ProbabilityBars* bars_;
    QComboBox* scale_;
    QLabel* legendNote_;
    QCheckBox* heatmap_;
    QComboBox* method_;
    QComboBox* class_;
    QSlider* opacity_;
};

} // namespace spinelens::ui
