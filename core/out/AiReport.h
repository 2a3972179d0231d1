#pragma once
// What SpineLens writes back to the PACS for an AI result, as standard DICOM: a Comprehensive
// SR following TID 1500 "Imaging Measurement Report" (one measurement group per class with
// its calibrated probability, the predicted class, the domain check, the algorithm's name,
// version, file hash, intended use and training data), and the Grad-CAM heatmap burned into a
// Secondary Capture. Both are new series of the source study. Nothing here knows LibTorch: the
// caller fills AiResult from the model's answer.
#include <string>
#include <vector>

namespace spinelens::out {

struct AlgorithmIdentity {
    std::string name, version;
    std::string fileHash; ///< the weights' SHA-256, "sha256:<64 hex digits>"
    std::string intendedUse;
    std::string trainingData; ///< e.g. "synthetic phantoms (spinelens phantom --kind xray)"
    bool synthetic = false;
    bool clinicallyValidated = false;
    std::string parameters; ///< how the probabilities were made, e.g. calibration
};

struct ClassProbability {
    std::string name;
    double probability = 0;
};

struct AiResult {
    AlgorithmIdentity algorithm;
    /// The image was within what the model knows; only then are there probabilities.
    bool assessed = false;
    std::string domainStatement; ///< the domain check in words, either way
    std::vector<ClassProbability> classes;
    int predicted = -1;
    std::string createdAt; ///< read back: content date and time, "YYYY-MM-DD HH:MM:SS"
    std::string software;  ///< e.g. "SpineLens 0.6.0"
};

/// A DICOM object we wrote (or read).
struct WrittenObject {
    std::string path, studyUid, seriesUid, sopClassUid, sopInstanceUid;
};

/// The source images the result is about: DICOM files of one study (frames are referenced by
/// their SOP instance). Throws Error naming a file that is not DICOM or is of another study.
struct SourceImages {
    std::vector<std::string> files;
};

/// Writes the SR to `path`. `heatmap`, when given, is referenced as the best illustration.
/// Throws Error naming the source or the output file.
WrittenObject writeAiReport(const AiResult& result, const SourceImages& sources,
                            const WrittenObject* heatmap, const std::string& path);

/// RGB pixels of the heatmap over the image (row-major, 3 bytes a pixel); a banner saying
/// what it is and that it is not for diagnosis is burned in here.
struct HeatmapPicture {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    std::string method = "Grad-CAM"; ///< what made the map
    std::string className;           ///< the class the map explains
    bool noEvidence = false;         ///< the map is zero everywhere: the banner says so
};

WrittenObject writeHeatmapCapture(const HeatmapPicture& picture, const AiResult& result,
                                  const std::string& sourceFile, const std::string& path);

/// Reads an SR this program wrote (or any TID 1500 report with the same rows): what it
/// says, when it was made and by which model. Throws Error when the file is not such an SR.
AiResult readAiReport(const std::string& path, WrittenObject* identity = nullptr);

/// True when the file is a Comprehensive SR whose root is an Imaging Measurement Report made
/// by SpineLens (so a study browser can show it as a stored AI result).
bool isAiReport(const std::string& path);

} // namespace spinelens::out
