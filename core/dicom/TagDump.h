#pragma once
// Every attribute of a DICOM file as rows for the tag browser (sequences flattened with
// their depth), values shortened for display.
#include <string>
#include <vector>

namespace spinelens::dicom {

struct TagRow {
    int depth = 0;     ///< 0 top level, 1 inside a sequence item, ...
    std::string tag;   ///< "(0010,0010)"
    std::string vr;    ///< "PN"
    std::string name;  ///< "PatientName"
    std::string value; ///< display text; "<N bytes>" for binary
    bool meta = false; ///< file meta information (group 0002)
};

/// Throws spinelens::Error naming the file when it is not readable DICOM.
std::vector<TagRow> dumpTags(const std::string& path);

} // namespace spinelens::dicom
