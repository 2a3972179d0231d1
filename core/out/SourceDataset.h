#pragma once
// Internal to core/out: the source images' headers (patient, study, UIDs) that the objects we
// write copy and reference.
#include "out/AiReport.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <memory>
#include <string>
#include <vector>

namespace spinelens::out {

struct SourceDataset {
    std::string path;
    std::shared_ptr<DcmFileFormat> file;
    DcmDataset* dataset = nullptr;
    std::string studyUid, seriesUid, sopClassUid, sopInstanceUid;
    /// The text was converted to UTF-8 (what our objects declare); false when the source's
    /// character set could not be converted: then `characterSet` (its declared value) is kept.
    bool utf8 = false;
    std::string characterSet;
};

/// DCMTK's own log lines (character-set notes, warnings) stay off stderr; our messages say
/// what matters. Called by every entry point of core/out.
void quietDcmtkLog();

/// Reads each file up to its pixel data. Throws Error naming a file that is not DICOM, has no
/// SOP instance, or belongs to another study than the first.
std::vector<SourceDataset> readSources(const SourceImages& images);

/// What identifies an object we just wrote to `path` (its study, series, class and instance).
WrittenObject identityOf(DcmDataset& written, const std::string& path);

/// Copies the Patient and General Study attributes of `source` into `target`, so the object
/// we write is filed under the same patient and study.
void copyPatientAndStudy(DcmDataset& source, DcmDataset& target);

} // namespace spinelens::out
