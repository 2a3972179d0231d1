#pragma once
// Makes the AI result for one series as standard DICOM: runs the model package on it (every
// slice, with the domain check), writes the TID 1500 SR and, when there is a finding, the
// Grad-CAM Secondary Capture, both new series of the source study. The CLI's `report` and the
// viewer's "Save/Send AI Result" call this one function, so they write the same objects.
#include "ai/Classifier.h"
#include "ai/Explainer.h"
#include "dicom/SeriesInfo.h"
#include "image/Volume.h"
#include "out/AiReport.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spinelens::ai {
class ModelPackage;
}

namespace spinelens::report {

struct ReportRequest {
    std::shared_ptr<const ai::ModelPackage> package;
    /// A DICOM series (a PNG/JPEG has no study to file the result under: Error).
    const SeriesInfo* series = nullptr;
    /// The series' pixels when the caller has them; loaded here otherwise.
    std::shared_ptr<const Volume> volume;
    int heatmapSlice = -1; ///< -1: the in-domain slice most for the predicted class
    ai::ExplainMethod method = ai::ExplainMethod::GradCam;
    bool anyModality = false; ///< run where the card names another modality
    std::string outputFolder; ///< ai-report.dcm and ai-heatmap.dcm land here
    std::string software;     ///< e.g. "SpineLens 0.6.0"
};

struct ReportOutcome {
    out::AiResult result;
    out::WrittenObject report;
    std::optional<out::WrittenObject> heatmap;
    int heatmapSlice = -1;
    float heatmapPeak = 0;
    std::size_t sources = 0; ///< images the SR references
};

/// The model's identity as the SR records it (name, version, weights' hash, intended use,
/// training data, synthetic/validated, how probabilities are made).
out::AlgorithmIdentity algorithmIdentity(const ai::ModelPackage& package);

/// Throws Error naming the series or the output folder when the result cannot be made (not
/// DICOM, wrong modality, a slice out of range or outside the model's domain, no write
/// access). An image outside the model's training data gives a report with no finding and no
/// heatmap, not an error.
ReportOutcome makeAiReport(const ReportRequest& request);

/// The heatmap blended over the image as the viewer shows it (the file's own window), RGB.
std::vector<std::uint8_t> heatmapRgb(const ai::GreyImage& image, const ai::Heatmap& map,
                                     float opacity);

/// "Grad-CAM", "Grad-CAM++" or "Occlusion".
std::string explainMethodTitle(ai::ExplainMethod method);

} // namespace spinelens::report
