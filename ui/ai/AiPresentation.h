#pragma once
// What the AI panel and the slice strip say, worked out from the model and its answers as
// plain values (no widgets), so the viewer's session and the panel agree on one wording.
#include "ai/AiController.h"
#include "ai/ConfidencePanel.h"
#include "report/StoredAiResults.h"

#include <QString>

#include <vector>

namespace spinelens::ui {

/// How strongly each slice is flagged: the probability of not being normal/healthy when the
/// model has such a class, else the top probability; -1 ("not assessed") for a slice outside
/// the model's training data, which is never flagged.
std::vector<float> flaggedScores(const ai::ModelCard& card, const ai::SeriesPrediction& series);

/// The AI's state for one view, as the confidence panel shows it.
struct AiViewState {
    std::shared_ptr<const ai::ModelPackage> model; ///< null when AI is off
    QString offReason;
    const SliceResult* last = nullptr; ///< the answer for the slice in view, if any
    bool revealOutOfDomain = false;
    bool busy = false;
    QString message;
};
ConfidenceState describeAi(const AiViewState& view);

/// One stored AI result (an SR of the study, e.g. from the PACS) in a sentence or three: when
/// and by which model it was made, what it found (or that it made no finding), and whether
/// the model was trained on synthetic data and is clinically validated.
QString describeStoredResult(const report::StoredAiResult& stored);

} // namespace spinelens::ui
