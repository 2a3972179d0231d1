#include "runs/CaseView.h"

#include "ai/ProbabilityText.h"

#include "Error.h"
#include "eval/CasePreview.h"
#include "runs/ReviewPanel.h"
#include "runs/RunSession.h"
#include "study/Scanner.h"
#include "study/SeriesLoader.h"
#include "view/ImageView.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QPointer>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace spinelens::ui {
namespace {
constexpr int kMapPreviewSize = 220;
} // namespace

struct CaseView::Loaded {
    std::shared_ptr<const Volume> volume;
    SeriesInfo series;
    int caseSlice = 0; ///< the case image: the file's first frame (caseImageSlice)
    QImage predictedPreview, truePreview;
    bool predictedEmpty = false, trueEmpty = false;   ///< stored map is zero everywhere
    std::vector<float> predictedOverlay, trueOverlay; ///< image-sized, [0, 1]
    QString problem;
};

CaseView::CaseView(RunSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    header_ = new QLabel(this);
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(header_);

    view_ = new ImageView(this);
    view_->setMinimumSize(280, 280);
    layout->addWidget(view_, 3);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setStyleSheet("color: #b00020");
    message_->hide();
    layout->addWidget(message_);

    auto* overlayRow = new QHBoxLayout();
    overlayRow->addWidget(new QLabel(tr("Overlay in the viewer:"), this));
    overlay_ = new QComboBox(this);
    overlay_->addItems({tr("Grad-CAM, predicted class"), tr("Grad-CAM, true class"), tr("none")});
    connect(overlay_, &QComboBox::currentIndexChanged, this, [this] { applyOverlay(); });
    overlayRow->addWidget(overlay_);
    overlayRow->addStretch();
    layout->addLayout(overlayRow);

    auto* maps = new QGridLayout();
    predictedCaption_ = new QLabel(this);
    trueCaption_ = new QLabel(this);
    predictedMap_ = new QLabel(this);
    trueMap_ = new QLabel(this);
    for (QLabel* l : {predictedMap_, trueMap_}) {
        l->setFixedSize(kMapPreviewSize, kMapPreviewSize);
        l->setAlignment(Qt::AlignCenter);
        l->setStyleSheet("background: #202020; color: #c0c0c0");
    }
    maps->addWidget(predictedCaption_, 0, 0);
    maps->addWidget(trueCaption_, 0, 1);
    maps->addWidget(predictedMap_, 1, 0);
    maps->addWidget(trueMap_, 1, 1);
    probabilities_ = new QLabel(this);
    probabilities_->setTextFormat(Qt::RichText);
    maps->addWidget(probabilities_, 0, 2, 2, 1, Qt::AlignTop);
    maps->setColumnStretch(2, 1);
    layout->addLayout(maps);

    review_ = new ReviewPanel(session_, this);
    layout->addWidget(review_);
    showCase(-1);
}

CaseView::~CaseView() = default;

void CaseView::setOverlay(int choice) {
    overlay_->setCurrentIndex(choice);
}

void CaseView::showCase(int caseIndex) {
    loadingCase_.invalidate(); // whatever was loading is for a case no longer shown
    case_ = caseIndex;
    review_->showCase(caseIndex);
    if (caseIndex < 0 || !session_->isOpen()) {
        loading_ = false;
        header_->setText(tr("Click a case in the gallery (N / P step through it)."));
        view_->clear();
        predictedMap_->clear();
        trueMap_->clear();
        predictedCaption_->clear();
        trueCaption_->clear();
        probabilities_->clear();
        message_->hide();
        return;
    }
    const RunSnapshot& run = session_->run();
    const eval::CaseRecord c = run.cases[std::size_t(caseIndex)];
    auto name = [&](int k) { return QString::fromStdString(run.info.classes[std::size_t(k)]); };
    QString domain;
    if (c.domainChecked)
        domain = c.inDomain ? tr(" — in domain (score %1)").arg(c.domainScore, 0, 'f', 1)
                            : tr(" — <span style='background:#777;color:white'>&nbsp;OUT OF "
                                 "DOMAIN&nbsp;</span> (score %1): outside the model's training "
                                 "data, raw output, not a finding")
                                  .arg(c.domainScore, 0, 'f', 1);
    header_->setText(tr("<b>%1</b> — true <b>%2</b>, predicted <b>%3</b> (%4) — %5, loss %6%7")
                         .arg(QString::fromStdString(c.path).toHtmlEscaped(), name(c.trueLabel),
                              name(c.predicted),
                              QString::fromStdString(ai::probabilityText(c.confidence())))
                         .arg(c.correct ? tr("<span style='color:#2e7d32'>right</span>")
                                        : tr("<span style='color:#c62828'>wrong</span>"))
                         .arg(c.loss, 0, 'f', 3)
                         .arg(domain));
    predictedCaption_->setText(tr("Grad-CAM: predicted (%1)").arg(name(c.predicted)));
    trueCaption_->setText(tr("Grad-CAM: true (%1)").arg(name(c.trueLabel)));
    QString table = "<table cellspacing=2>";
    for (std::size_t k = 0; k < c.probabilities.size(); ++k) {
        const bool predicted = int(k) == c.predicted, truth = int(k) == c.trueLabel;
        QString label = name(int(k)).toHtmlEscaped();
        if (predicted)
            label = "<b>" + label + "</b>";
        table += QString("<tr><td>%1%2</td><td align=right>%3</td></tr>")
                     .arg(label, truth ? tr(" (true)") : QString(),
                          QString::fromStdString(ai::probabilityText(c.probabilities[k]))
                              .toHtmlEscaped());
    }
    probabilities_->setText(table + "</table>");

    loading_ = true;
    const bool missing = run.imageMissing[std::size_t(caseIndex)] != 0;
    const std::string runPath = run.path.toStdString();
    loadingCase_.run(
        [c, missing, runPath] {
            auto out = std::make_shared<Loaded>();
            std::optional<eval::StoredHeatmap> predictedMap, trueMap;
            try {
                auto file = eval::RunFile::open(runPath, false);
                predictedMap = file->heatmap(c.id, c.predicted);
                trueMap = file->heatmap(c.id, c.trueLabel);
            } catch (const std::exception& e) {
                out->problem = QString::fromUtf8(e.what());
            }
            CaseImage image;
            if (missing) {
                out->problem =
                    QObject::tr("%1: the image is no longer here (moved or deleted since "
                                "the run); the stored heatmaps are shown on black.")
                        .arg(QString::fromStdString(c.path));
            } else {
                try {
                    const ScanResult scan = spinelens::scan({c.path});
                    if (scan.series.empty())
                        throw Error(scan.failures.empty() ? "not an image"
                                                          : scan.failures.front().reason,
                                    c.path);
                    out->series = scan.series.front();
                    out->volume = loadSeries(out->series);
                    // The image the model was given: the file's first frame, wherever it sorts.
                    out->caseSlice = caseImageSlice(out->series, c.path);
                    const float* pixels = out->volume->slice(out->caseSlice);
                    image.width = out->volume->width;
                    image.height = out->volume->height;
                    image.pixels.assign(pixels, pixels + out->volume->sliceSize());
                    image.display = out->series.sliceDisplay(out->caseSlice);
                } catch (const std::exception& e) {
                    out->problem = QString::fromUtf8(e.what());
                    out->volume.reset();
                }
            }
            if (!out->volume) {
                const eval::StoredHeatmap* any = predictedMap ? &*predictedMap
                                                 : trueMap    ? &*trueMap
                                                              : nullptr;
                image.width = any ? any->width : 64;
                image.height = any ? any->height : 64;
                image.pixels.assign(std::size_t(image.width) * image.height, 0.0f);
            }
            auto preview = [&](const std::optional<eval::StoredHeatmap>& map) {
                if (!map)
                    return QImage();
                const eval::RgbPreview p = eval::renderCasePreview(image, &*map, kMapPreviewSize);
                return QImage(p.rgb.data(), p.width, p.height, p.width * 3, QImage::Format_RGB888)
                    .copy();
            };
            out->predictedEmpty = predictedMap && !(predictedMap->maximum > 0);
            out->trueEmpty = trueMap && !(trueMap->maximum > 0);
            out->predictedPreview = preview(predictedMap);
            out->truePreview = preview(trueMap);
            if (out->volume) {
                if (predictedMap)
                    out->predictedOverlay =
                        eval::expandHeatmap(*predictedMap, image.width, image.height);
                if (trueMap)
                    out->trueOverlay = eval::expandHeatmap(*trueMap, image.width, image.height);
            }
            return out;
        },
        [this](const std::shared_ptr<Loaded>& loaded) { onLoaded(loaded); });
}

void CaseView::onLoaded(const std::shared_ptr<Loaded>& loaded) {
    loading_ = false;
    predictedImage_ = loaded->predictedPreview;
    trueImage_ = loaded->truePreview;
    predictedOverlay_ = loaded->predictedOverlay;
    trueOverlay_ = loaded->trueOverlay;
    auto show = [](QLabel* label, const QImage& image) {
        if (image.isNull())
            label->setText(tr("no map stored"));
        else
            label->setPixmap(QPixmap::fromImage(image));
    };
    show(predictedMap_, predictedImage_);
    show(trueMap_, trueImage_);
    // Grad-CAM keeps only evidence that raises a class's score; an all-zero map is a finding
    // (nothing in the image argues for this class), not a missing overlay.
    const QString empty = tr("<br><i>empty: no region raises this score</i>");
    if (loaded->predictedEmpty)
        predictedCaption_->setText(predictedCaption_->text() + empty);
    if (loaded->trueEmpty)
        trueCaption_->setText(trueCaption_->text() + empty);
    message_->setVisible(!loaded->problem.isEmpty());
    message_->setText(loaded->problem);
    if (loaded->volume) {
        caseSlice_ = loaded->caseSlice;
        view_->setSeries(loaded->volume, loaded->series, caseSlice_);
        for (int k = 0; k < loaded->volume->depth; ++k)
            view_->markSliceLoaded(k); // loadSeries read every slice
        applyOverlay();
    } else {
        view_->clear();
    }
    Q_EMIT caseShown(case_);
}

void CaseView::applyOverlay() {
    if (!view_->hasImage())
        return;
    const int choice = overlay_->currentIndex();
    const std::vector<float>& map = choice == 0 ? predictedOverlay_ : trueOverlay_;
    if (choice == 2 || map.empty()) {
        view_->clearHeatmap();
        return;
    }
    view_->setHeatmap(caseSlice_, map);
    view_->setHeatmapVisible(true);
}

} // namespace spinelens::ui
