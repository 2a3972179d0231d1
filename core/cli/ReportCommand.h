#pragma once
// spinelens-cli report: the AI result for an image or series as standard DICOM (a TID 1500
// Comprehensive SR and, for an image the model can assess, a Grad-CAM Secondary Capture),
// written as new series of the source study.
#include <iosfwd>
#include <string>

namespace spinelens::cli {

struct ReportOptions {
    std::string modelFolder;
    std::string path;
    std::string outputFolder;
    int seriesIndex = 0;
    int slice = -1; ///< heatmap slice of a series; -1: the one most for the predicted class
    std::string method = "gradcam";
    bool anyModality = false;
};

int runReport(const ReportOptions& options, std::ostream& out, std::ostream& err);

} // namespace spinelens::cli
