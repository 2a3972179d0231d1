#pragma once
// Exports of an evaluation run: a CSV of every case with the researcher's tags, notes and
// proposed labels, and a self-contained HTML report (metrics, ROC / precision-recall /
// calibration plots as inline SVG, the confusion matrix, and the misclassified cases with
// thumbnails and Grad-CAM maps as inline PNG). Neither needs anything but the file written.
#include <string>

namespace spinelens::eval {

class RunFile;

/// Throws spinelens::Error naming the output when it cannot be written.
void exportCasesCsv(const RunFile& run, const std::string& path);

struct HtmlReportOptions {
    int maxCases = 200; ///< misclassified cases shown, most confidently wrong first
    int thumbnailSize = 160;
};

/// Images that cannot be read any more (moved since the run) are listed, not fatal.
void exportHtmlReport(const RunFile& run, const std::string& path,
                      const HtmlReportOptions& options = {});

} // namespace spinelens::eval
