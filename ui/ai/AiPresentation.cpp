#include "ai/AiPresentation.h"

#include "ai/FlagScore.h"

#include <QObject>

#include <algorithm>

namespace spinelens::ui {
namespace {

QString trainingDataLine(const ai::ModelCard& card) {
    if (card.weights.find("not trained") != std::string::npos)
        return QObject::tr("Training data: none. These weights are untrained.");
    QString line =
        QObject::tr("Training data: %1")
            .arg(QString::fromStdString(card.dataset.empty() ? "not stated" : card.dataset));
    if (card.synthetic)
        line += QObject::tr(" (synthetic training data, not patient images)");
    if (!card.clinicallyValidated)
        line += QObject::tr(". Not clinically validated.");
    return line;
}

QString calibrationLine(const ai::ModelCard& card) {
    if (card.calibration.is_null())
        return QObject::tr("Confidence: not calibrated (no temperature in the package).");
    if (!card.calibrated) // the card's note and the report say why at length
        return QObject::tr("Confidence: not calibrated (no temperature could be fitted on the "
                           "validation split; see the package's report).");
    return QObject::tr("Confidence: calibrated by temperature scaling (T = %1) on the validation "
                       "split.")
        .arg(card.temperature, 0, 'f', 2);
}

QString domainLine(const ai::ModelPackage& package) {
    if (const ai::DomainModel* d = package.domain())
        return QObject::tr("Domain check: on. Images unlike the training data (feature distance "
                           "above %1) get no finding.")
            .arg(d->threshold(), 0, 'f', 1);
    return QObject::tr("Domain check: none. This model cannot tell when an image is unlike its "
                       "training data; treat every output with caution.");
}

} // namespace

std::vector<float> flaggedScores(const ai::ModelCard& card, const ai::SeriesPrediction& series) {
    return ai::flagScores(card, series);
}

ConfidenceState describeAi(const AiViewState& view) {
    ConfidenceState s;
    s.aiOn = view.model != nullptr;
    s.offReason = view.offReason;
    if (view.model) {
        const ai::ModelCard& card = view.model->card();
        s.headline = QString::fromStdString(card.headline());
        s.intendedUse =
            QObject::tr("Intended use: %1").arg(QString::fromStdString(card.intendedUse));
        s.trainingData = trainingDataLine(card);
        for (const auto& c : card.classes)
            s.classes << QString::fromStdString(c);
        s.calibration = calibrationLine(card);
        s.domainCheck = domainLine(*view.model);
        if (view.last) {
            const ai::Prediction& p = view.last->prediction;
            s.probabilities = p.probabilities;
            s.predicted = p.predicted;
            s.outOfDomain = !p.domain.inDomain;
            s.domainScore = p.domain.score;
            s.domainThreshold = p.domain.threshold;
            s.domainReason = QString::fromStdString(p.domain.reason);
            s.revealOutOfDomain = view.revealOutOfDomain;
        }
    }
    s.busy = view.busy;
    s.message = view.message;
    return s;
}

QString describeStoredResult(const report::StoredAiResult& stored) {
    const out::AiResult& r = stored.result;
    const auto q = [](const std::string& t) { return QString::fromStdString(t); };
    QString text =
        QObject::tr("Made %1 by %2 %3")
            .arg(r.createdAt.empty() ? QObject::tr("(time not recorded)") : q(r.createdAt),
                 q(r.algorithm.name), q(r.algorithm.version));
    if (!r.software.empty())
        text += QObject::tr(" (%1)").arg(q(r.software));
    if (r.assessed && r.predicted >= 0 && std::size_t(r.predicted) < r.classes.size()) {
        QStringList others;
        for (std::size_t c = 0; c < r.classes.size(); ++c)
            if (int(c) != r.predicted)
                others << QString("%1 %2")
                              .arg(q(r.classes[c].name))
                              .arg(r.classes[c].probability, 0, 'f', 2);
        const auto& best = r.classes[std::size_t(r.predicted)];
        text += QObject::tr(": %1 %2 (others: %3)")
                    .arg(q(best.name))
                    .arg(best.probability, 0, 'f', 2)
                    .arg(others.join(", "));
    } else {
        text += QObject::tr(": no finding (%1)").arg(q(r.domainStatement));
    }
    if (r.algorithm.synthetic)
        text += QObject::tr(". Trained on synthetic data");
    if (!r.algorithm.clinicallyValidated)
        text += QObject::tr(". Not clinically validated");
    return text + ".";
}

} // namespace spinelens::ui
