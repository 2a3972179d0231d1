#pragma once
// Triage of one study for the worklist: every series classified by the model for its modality
// (the shipped default, or the one the user assigned), the domain check applied, and the
// study's score, its most suspicious image and its lane decided. A study the AI cannot assess
// (out of domain, no model for its modality, unreadable) goes to its own lane with the reason:
// never dropped, never quietly left unflagged.
#include "dicom/SeriesInfo.h"
#include "worklist/Worklist.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace spinelens::ai {
class ModelPackage;
}

namespace spinelens::worklist {

struct TriageSettings {
    std::string modelsDirectory; ///< the shipped packages (ai::findModelsDirectory)
    /// Modality ("MR", "DX", ...; "PNG" for PNG/JPEG files) -> package folder, instead of the
    /// default for it. Either way a model runs only on the kind of image its card is for.
    std::map<std::string, std::string> assigned;
};

using ThresholdLookup = std::function<Threshold(const std::string& modelName)>;

class Triage {
public:
    explicit Triage(TriageSettings settings);
    ~Triage();

    /// The user's assignments (modality -> package folder), read from the worklist before
    /// each study so a change made meanwhile applies to the next one.
    void setAssigned(std::map<std::string, std::string> assigned) {
        settings_.assigned = std::move(assigned);
    }

    /// Triages the series of one study (all of the same study). Never throws for a study the
    /// AI cannot assess: that is an outcome (NotAssessed with the reason).
    TriageOutcome run(const std::vector<SeriesInfo>& series, const ThresholdLookup& thresholdFor);

private:
    std::shared_ptr<const ai::ModelPackage> package(const std::string& folder);
    TriageSettings settings_;
    std::map<std::string, std::shared_ptr<const ai::ModelPackage>> packages_;
    /// The package's identity as a run records it, to match operating points (per folder).
    std::string packageHash(const std::string& folder);
    std::map<std::string, std::string> packageHashes_;
};

/// The series of a scan grouped by study, in the scan's order: DICOM series by Study Instance
/// UID; each PNG/JPEG image is a study of its own, keyed "file:" + its path.
std::vector<std::pair<std::string, std::vector<SeriesInfo>>> studiesOf(const ScanResult& scan);

/// The worklist entry's header fields of a study's series.
Entry entryFor(const std::string& studyKey, const std::vector<SeriesInfo>& series,
               const std::string& source);

} // namespace spinelens::worklist
