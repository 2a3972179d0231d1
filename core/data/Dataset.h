#pragma once
// Labelled image sets for training and evaluation, read from the layouts researchers have:
// class folders (the Kaggle spine-lesion set), the RSNA 2024 lumbar spine layout, or a manifest
// CSV. Unreadable or unknown entries are listed in `problems`, never fatal; a layout that is
// wrong as a whole (missing CSV columns, no classes) throws spinelens::Error.
#include "dicom/SeriesInfo.h"

#include <string>
#include <vector>

namespace spinelens::data {

struct Sample {
    std::string path; ///< PNG/JPEG/DICOM file
    int label = -1;   ///< index into Dataset::classes
    /// Patient or study: a group never spans two splits. DICOM files in class folders and
    /// manifests without a group column: PatientID, else StudyInstanceUID; else the file name.
    std::string group;
    std::string split; ///< "train", "val" or "test" when the data set fixes it, else empty
};

struct Dataset {
    std::string root;
    std::string layout; ///< "class-folders", "rsna-2024" or "manifest"
    std::vector<std::string> classes;
    std::vector<Sample> samples;
    std::vector<FileFailure> problems;

    /// Samples per class, in class order.
    std::vector<int> classCounts() const;
};

/// The rule that matches folder names and labels to class names: lower case, with spaces,
/// underscores, hyphens and dots removed ("Foraminal_Stenosis" == "foraminal stenosis").
std::string normaliseClassName(const std::string& name);

/// ROOT/<class>/*.png|jpg|jpeg|dcm (any depth below the class folder). With classNames
/// given (the model's, in output order), folders map onto them and unknown folders are
/// reported; without, the folders define the classes in sorted order.
Dataset readClassFolders(const std::string& root, const std::vector<std::string>& classNames = {});

/// path,label[,split][,group] with a header row; relative paths are relative to the CSV.
Dataset readManifest(const std::string& csvPath, const std::vector<std::string>& classNames = {});

struct RsnaOptions {
    /// series_description to use: "Sagittal T2/STIR" (the MRI study's choice), "Sagittal T1"
    /// or "Axial T2".
    std::string seriesType = "Sagittal T2/STIR";
};

/// The RSNA 2024 Lumbar Spine Degenerative Classification layout, mapped to the MRI study's
/// binary task: a study is "degenerative" when any of its condition/level grades is Moderate or
/// Severe, "healthy" when every graded level is Normal/Mild; studies with no grade at all are
/// skipped and listed. Every slice of the chosen series type is a sample; group = study_id.
Dataset readRsna2024(const std::string& root, const RsnaOptions& options = {});

/// Picks the reader: a .csv file is a manifest; a folder with train.csv and
/// train_series_descriptions.csv is RSNA 2024; any other folder is class folders.
Dataset openDataset(const std::string& path, const std::vector<std::string>& classNames = {});

} // namespace spinelens::data
