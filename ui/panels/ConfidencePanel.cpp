#include "panels/ConfidencePanel.h"

#include "image/Colormap.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QSlider>
#include <QVBoxLayout>

namespace spinelens::ui {
namespace {

constexpr int kRowHeight = 24;

// The heatmap colour scale with its ends labelled.
class HeatLegend : public QWidget {
public:
    explicit HeatLegend(QWidget* parent = nullptr) : QWidget(parent) { setMinimumHeight(30); }

protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        const QRect bar(4, 2, width() - 8, 12);
        QLinearGradient g(bar.topLeft(), bar.topRight());
        for (int i = 0; i <= 8; ++i) {
            const auto c = heatColor(i / 8.0f);
            g.setColorAt(i / 8.0, QColor(c[0], c[1], c[2]));
        }
        p.fillRect(bar, g);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(4, 15, width() - 8, 14), Qt::AlignLeft, tr("less evidence"));
        p.drawText(QRect(4, 15, width() - 8, 14), Qt::AlignRight, tr("more evidence"));
    }
};

} // namespace

ProbabilityBars::ProbabilityBars(QWidget* parent) : QWidget(parent) {}

void ProbabilityBars::setValues(const QStringList& classes, const std::vector<float>& probabilities,
                                int predicted) {
    classes_ = classes;
    probabilities_ = probabilities;
    predicted_ = predicted;
    updateGeometry();
    update();
}

QSize ProbabilityBars::sizeHint() const {
    return {240, std::max(1, int(classes_.size())) * kRowHeight + 4};
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int labelWidth = width() * 45 / 100;
    const int barWidth = width() - labelWidth - 56;
    for (int i = 0; i < classes_.size(); ++i) {
        const int y = i * kRowHeight + 2;
        const bool top = i == predicted_;
        QFont f = font();
        f.setBold(top);
        p.setFont(f);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(0, y, labelWidth - 4, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   (top ? QString::fromUtf8("\u25B6 ") : QString("   ")) + classes_[i]);
        const QRect bar(labelWidth, y + 5, barWidth, kRowHeight - 10);
        p.fillRect(bar, palette().color(QPalette::Base));
        if (std::size_t(i) < probabilities_.size()) {
            const float v = probabilities_[std::size_t(i)];
            p.fillRect(QRect(bar.left(), bar.top(), int(bar.width() * v), bar.height()),
                       top ? QColor(220, 120, 40) : QColor(90, 130, 190));
            p.drawText(QRect(bar.right() + 4, y, 52, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                       QString::number(double(v) * 100.0, 'f', 1) + "%");
        }
        p.setPen(palette().color(QPalette::Mid));
        p.drawRect(bar);
    }
}

ConfidencePanel::ConfidencePanel(QWidget* parent)
    : QWidget(parent), model_(new QLabel), status_(new QLabel), bars_(new ProbabilityBars),
      heatmap_(new QCheckBox(tr("Show heatmap (H)"))), method_(new QComboBox),
      class_(new QComboBox), opacity_(new QSlider(Qt::Horizontal)) {
    model_->setWordWrap(true);
    model_->setTextFormat(Qt::RichText);
    status_->setWordWrap(true);
    method_->addItems({tr("Grad-CAM"), tr("Grad-CAM++"), tr("Occlusion")});
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    heatmap_->setChecked(true);
    auto* form = new QFormLayout;
    form->addRow(heatmap_);
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Explain"), class_);
    form->addRow(tr("Opacity"), opacity_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(model_);
    layout->addWidget(bars_);
    layout->addWidget(status_);
    layout->addLayout(form);
    layout->addWidget(new HeatLegend);
    layout->addStretch(1);
    connect(heatmap_, &QCheckBox::toggled, this, &ConfidencePanel::heatmapDisplayChanged);
    connect(opacity_, &QSlider::valueChanged, this, &ConfidencePanel::heatmapDisplayChanged);
    connect(method_, &QComboBox::currentIndexChanged, this, &ConfidencePanel::explanationChanged);
    connect(class_, &QComboBox::currentIndexChanged, this, &ConfidencePanel::explanationChanged);
    setState({});
}

void ConfidencePanel::setState(const ConfidenceState& s) {
    const bool classesChanged = s.classes != state_.classes;
    state_ = s;
    if (!s.aiOn) {
        model_->setText(tr("<b>AI is off</b>: %1").arg(s.offReason.toHtmlEscaped()));
    } else {
        model_->setText(
            QString("<b>%1</b><br><span style='color:#c06000'>%2</span><br><small>%3</small>")
                .arg(s.headline.toHtmlEscaped(), s.trainingData.toHtmlEscaped(),
                     s.intendedUse.toHtmlEscaped()));
    }
    bars_->setVisible(s.aiOn);
    bars_->setValues(s.classes, s.probabilities, s.predicted);
    status_->setText(s.busy ? tr("Classifying…") : s.message);
    if (classesChanged) {
        const QSignalBlocker block(class_);
        class_->clear();
        class_->addItem(tr("Predicted class"));
        class_->addItems(s.classes);
    }
    for (QWidget* w : {static_cast<QWidget*>(heatmap_), static_cast<QWidget*>(method_),
                       static_cast<QWidget*>(class_), static_cast<QWidget*>(opacity_)})
        w->setEnabled(s.aiOn);
}

QString ConfidencePanel::modelText() const {
    return model_->text();
}
bool ConfidencePanel::heatmapEnabled() const {
    return heatmap_->isChecked();
}
void ConfidencePanel::setHeatmapEnabled(bool on) {
    heatmap_->setChecked(on);
}
int ConfidencePanel::methodIndex() const {
    return method_->currentIndex();
}
int ConfidencePanel::classChoice() const {
    return class_->currentIndex() - 1;
}
float ConfidencePanel::opacity() const {
    return float(opacity_->value()) / 100.0f;
}

} // namespace spinelens::ui
