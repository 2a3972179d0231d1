#pragma once
// A worklist decision as DICOM: the Key Object Selection document (out/ReviewKos) of an entry,
// referencing the image it was reviewed at (the most suspicious one), or for a study the AI
// could not assess the first image of each of its series. The CLI's `worklist kos` and the
// worklist window's "Send Decision to PACS" write it the same way.
#include "out/ReviewKos.h"
#include "worklist/Worklist.h"

#include <string>

namespace spinelens::worklist {

/// What the document says for this entry (its decision and triage).
out::ReviewDecision reviewDecision(const Entry& entry);

/// Writes the entry's decision into `folder` (created if needed) as review-<study>.dcm.
/// Throws Error when the entry has no decision or its images cannot be read.
out::WrittenObject writeDecisionDocument(const Entry& entry, const std::string& folder);

} // namespace spinelens::worklist
