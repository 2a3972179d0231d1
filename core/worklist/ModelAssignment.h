#pragma once
// Which model triages a modality: the shipped default (ai/DefaultModels.h) unless the user
// assigned another package to it. Assignments live in the worklist file, audited like
// thresholds, so the viewer and `spinelens-cli worklist` triage with the same models and the
// log says which model a modality was given, when and by whom.
#include "worklist/Worklist.h"

#include <map>
#include <string>

namespace spinelens::worklist {

/// The package at `folder` as an assignment for `modality` ("MR", "CT", "DX", ...; "PNG" for
/// PNG/JPEG files; upper-cased): its card's name and version and its weights' hash. Throws
/// Error naming the folder when it is not a loadable package, or when its card is for another
/// kind of image (an MR model is not assigned to radiographs).
ModelAssignment describeAssignment(const std::string& modality, const std::string& folder);

/// The modality as assignments are keyed: upper case ("mr" -> "MR").
std::string modalityKey(const std::string& modality);

/// Modality -> package folder, for TriageSettings::assigned.
std::map<std::string, std::string> assignedFolders(const WorklistDb& db);

/// The modalities a user may assign a model to in the viewer, in the order shown.
const std::vector<std::string>& assignableModalities();

} // namespace spinelens::worklist
