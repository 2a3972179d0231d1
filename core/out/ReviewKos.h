#pragma once
// A clinician's review of an AI triage flag as a Key Object Selection document (PS3.3 A.35.4,
// TID 2010): the images reviewed are the key objects, the person who decided is the observer,
// and the Key Object Description says in words what the AI flagged (model, weights hash,
// score, threshold) and what the reviewer decided, with reason and note. Other viewers list
// it with the study and show its images, so what was reviewed travels with the study. A new
// series of the source study, like our AI report.
#include "out/AiReport.h"

#include <string>

namespace spinelens::out {

struct ReviewDecision {
    std::string verdict; ///< "agree", "disagree" or "uncertain"
    std::string reason, note;
    std::string reviewer;  ///< who decided (a person's name or login)
    std::string decidedAt; ///< UTC, ISO 8601
    // What was reviewed: the AI's triage of the study.
    std::string model;     ///< name and version
    std::string modelHash; ///< the weights' fingerprint
    bool assessed = true;  ///< false: the AI could not assess the study
    bool flagged = false;
    double score = 0, threshold = 0.5;
    std::string aiNote; ///< e.g. "trained on synthetic data, not clinically validated"
};

/// The Key Object Description text the document carries (also shown to the user).
std::string reviewDescription(const ReviewDecision& decision);

/// Writes the document to `path`, referencing every file of `images` (one study) as a key
/// object. Throws Error naming the source or the output file.
WrittenObject writeReviewKos(const ReviewDecision& decision, const SourceImages& images,
                             const std::string& path);

} // namespace spinelens::out
