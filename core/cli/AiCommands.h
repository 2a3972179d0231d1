#pragma once
// spinelens-cli classify and explain.
#include "ai/Classifier.h"
#include "ai/Explainer.h"

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace spinelens::cli {

struct ClassifyOptions {
    std::string modelFolder;
    std::vector<std::string> paths;
    bool anyModality = false; ///< run even where the card names another modality
    /// Each path on its own: files that share a series UID (test files, exports from several
    /// scans) are not merged into one series.
    bool eachFile = false;
};

struct ExplainOptions {
    std::string modelFolder;
    std::string method = "gradcam";
    std::string className; ///< empty: the predicted class
    std::string path;
    int seriesIndex = 0;
    int slice = -1; ///< -1: middle
    std::string outPng;
    std::string rawOut; ///< optional .nrrd/.mha/.nii.gz of the float map
    float opacity = 0.6f;
    /// Write the map even when the image is outside the model's training data (the JSON then
    /// says so); without it such an image gets no heatmap.
    bool allowOutOfDomain = false;
    bool anyModality = false; ///< run even where the card names another modality
};

int runClassify(const ClassifyOptions& options, std::ostream& out, std::ostream& err);
int runExplain(const ExplainOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
