#include "ai/ConfidencePanel.h"

#include "ai/ProbabilityText.h"
#include "image/Colormap.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QPushButton>
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

void ProbabilityBars::setOutOfDomain(bool outOfDomain) {
    outOfDomain_ = outOfDomain;
    updateGeometry();
    update();
}

void ProbabilityBars::setValues(const QStringList& classes, const std::vector<float>& probabilities,
                                int predicted) {
    classes_ = classes;
    probabilities_ = probabilities;
    predicted_ = predicted;
    updateGeometry();
    update();
}

QSize ProbabilityBars::sizeHint() const {
    return {240, (std::max(1, int(classes_.size())) + (outOfDomain_ ? 1 : 0)) * kRowHeight + 4};
}

void ProbabilityBars::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const int labelWidth = width() * 45 / 100;
    const int barWidth = width() - labelWidth - 60;
    int top0 = 2;
    if (outOfDomain_) {
        p.fillRect(QRect(0, 0, width(), kRowHeight), QColor(120, 120, 120));
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        p.setPen(Qt::white);
        p.drawText(QRect(4, 0, width() - 8, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                   tr("OUT OF DOMAIN: raw output, not a finding"));
        top0 += kRowHeight;
    }
    for (int i = 0; i < classes_.size(); ++i) {
        const int y = i * kRowHeight + top0;
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
            const QColor fill = outOfDomain_ ? QColor(150, 150, 150)
                                : top        ? QColor(220, 120, 40)
                                             : QColor(90, 130, 190);
            p.fillRect(QRect(bar.left(), bar.top(), int(bar.width() * v), bar.height()), fill);
            p.drawText(QRect(bar.right() + 4, y, 58, kRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                       QString::fromStdString(ai::probabilityText(double(v))));
        }
        p.setPen(palette().color(QPalette::Mid));
        p.drawRect(bar);
    }
}

ConfidencePanel::ConfidencePanel(QWidget* parent)
    : QWidget(parent), model_(new QLabel), status_(new QLabel), stored_(new QLabel),
      outOfDomain_(new QLabel), reveal_(new QPushButton(tr("Show raw output anyway"))),
      bars_(new ProbabilityBars), scale_(new QComboBox), legendNote_(new QLabel),
      heatmap_(new QCheckBox(tr("Show heatmap (H)"))), method_(new QComboBox),
      class_(new QComboBox), opacity_(new QSlider(Qt::Horizontal)) {
    model_->setWordWrap(true);
    model_->setTextFormat(Qt::RichText);
    status_->setWordWrap(true);
    stored_->setObjectName("storedResults");
    stored_->setWordWrap(true);
    stored_->setTextFormat(Qt::RichText);
    stored_->setStyleSheet("QLabel { background: #eef3fa; border: 1px solid #8aa6c8; padding: "
                           "6px; }");
    outOfDomain_->setObjectName("outOfDomainNotice");
    outOfDomain_->setWordWrap(true);
    outOfDomain_->setTextFormat(Qt::RichText);
    outOfDomain_->setStyleSheet("QLabel { background: #fff3cd; color: #5a4300; border: 1px solid "
                                "#c9a227; padding: 6px; }");
    reveal_->setCheckable(true);
    reveal_->setToolTip(tr("Shows the model's raw probabilities and heatmap for this image, "
                           "marked \"out of domain\". They are not a finding."));
    scale_->addItems({tr("Scaled to this map's peak"), tr("Scaled by the class's probability")});
    scale_->setToolTip(tr("Peak: the strongest evidence in this map is full colour, however "
                          "unlikely the class. Probability: the map is dimmed by the class's "
                          "probability, so an unlikely class's map is faint."));
    legendNote_->setWordWrap(true);
    method_->addItems({tr("Grad-CAM"), tr("Grad-CAM++"), tr("Occlusion")});
    opacity_->setRange(0, 100);
    opacity_->setValue(60);
    heatmap_->setChecked(true);
    auto* form = new QFormLayout;
    form->addRow(heatmap_);
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Explain"), class_);
    form->addRow(tr("Opacity"), opacity_);
    form->addRow(tr("Colour scale"), scale_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(model_);
    layout->addWidget(outOfDomain_);
    layout->addWidget(reveal_);
    layout->addWidget(bars_);
    layout->addWidget(status_);
    layout->addWidget(stored_);
    layout->addLayout(form);
    layout->addWidget(new HeatLegend);
    layout->addWidget(legendNote_);
    layout->addStretch(1);
    connect(reveal_, &QPushButton::toggled, this, [this](bool on) {
        state_.revealOutOfDomain = on;
        setState(state_);
        Q_EMIT revealOutOfDomainChanged(on);
    });
    connect(scale_, &QComboBox::currentIndexChanged, this, [this] {
        setState(state_);
        Q_EMIT heatmapDisplayChanged();
    });
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
        model_->setText(QString("<b>%1</b><br><span style='color:#c06000'>%2</span><br><small>%3"
                                "<br>%4<br>%5</small>")
                            .arg(s.headline.toHtmlEscaped(), s.trainingData.toHtmlEscaped(),
                                 s.intendedUse.toHtmlEscaped(), s.calibration.toHtmlEscaped(),
                                 s.domainCheck.toHtmlEscaped()));
    }
    const bool outside = s.aiOn && s.outOfDomain && !s.probabilities.empty();
    outOfDomain_->setVisible(outside);
    if (outside)
        outOfDomain_->setText(
            tr("<b>Outside this model's training data.</b> This image is not like the images the "
               "model was trained on (%1), so the model cannot assess it and <b>no finding is "
               "shown</b>.")
                .arg(s.domainReason.isEmpty() ? tr("domain score %1, limit %2")
                                                    .arg(s.domainScore, 0, 'f', 1)
                                                    .arg(s.domainThreshold, 0, 'f', 1)
                                              : s.domainReason.toHtmlEscaped()));
    reveal_->setVisible(outside);
    {
        const QSignalBlocker block(reveal_);
        reveal_->setChecked(s.revealOutOfDomain);
    }
    reveal_->setText(s.revealOutOfDomain ? tr("Hide raw output") : tr("Show raw output anyway"));
    // Out of domain: the bars appear only on request, grey and marked.
    bars_->setVisible(s.aiOn && (!outside || s.revealOutOfDomain));
    bars_->setOutOfDomain(outside);
    bars_->setValues(s.classes, s.probabilities, s.predicted);
    status_->setText(s.busy ? tr("Classifying…") : s.message);
    stored_->setVisible(!s.storedResults.isEmpty());
    if (!s.storedResults.isEmpty()) {
        QString html = tr("<b>Stored AI result(s) for this study</b> (saved with the study, "
                          "not computed now):");
        for (const QString& line : s.storedResults)
            html += "<br>&bull; " + line.toHtmlEscaped();
        stored_->setText(html);
    }
    legendNote_->setText(scaleByProbability()
                             ? tr("Colour: evidence for the explained class times its "
                                  "probability (full red = certain class, strongest evidence).")
                             : tr("Colour: scaled to this map's peak (the strongest evidence in "
                                  "this map is full red, however unlikely the class)."));
    if (classesChanged) {
        const QSignalBlocker block(class_);
        class_->clear();
        class_->addItem(tr("Predicted class"));
        class_->addItems(s.classes);
    }
    for (QWidget* w : {static_cast<QWidget*>(heatmap_), static_cast<QWidget*>(method_),
                       static_cast<QWidget*>(class_), static_cast<QWidget*>(opacity_),
                       static_cast<QWidget*>(scale_)})
        w->setEnabled(s.aiOn && (!outside || s.revealOutOfDomain));
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
bool ConfidencePanel::scaleByProbability() const {
    return scale_->currentIndex() == 1;
}
QString ConfidencePanel::storedResultsText() const {
    return stored_->isVisibleTo(this) ? stored_->text() : QString();
}
QString ConfidencePanel::outOfDomainText() const {
    return outOfDomain_->isVisibleTo(this) ? outOfDomain_->text() : QString();
}
void ConfidencePanel::setRevealOutOfDomain(bool reveal) {
    reveal_->setChecked(reveal);
}

} // namespace spinelens::ui
