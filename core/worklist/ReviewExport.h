#pragma once
// The loop from review back to training: the studies where the clinician disagreed with the
// AI, written as a manifest data set (path,label,split,group: what `train` and `evaluate`
// read), one row per image of the series the flag came from, labelled with the reviewed
// class. The reviewed class is the one the decision gives (a reason naming a class), else
// what disagreeing means for the model: a flagged study is the normal class; a study not
// flagged by a two-class model is the other class. Where neither says, the study is left out
// and said.
#include "worklist/Worklist.h"

#include <string>
#include <vector>

namespace spinelens::worklist {

struct ManifestExport {
    int studies = 0, rows = 0;
    std::vector<std::pair<std::string, std::string>> leftOut; ///< study, why
};

/// Throws Error naming the file when it cannot be written.
ManifestExport exportDisagreements(const WorklistDb& db, const std::string& manifestPath);

} // namespace spinelens::worklist
