#pragma once
// Small helpers over DCMTK's item API, shared by the readers and writers in core/dicom.
#include <dcmtk/dcmdata/dcitem.h>

#include <string>

namespace spinelens::dicom {

/// The whole value of a string attribute (all components, backslash-separated), trimmed;
/// empty when absent.
inline std::string getString(DcmItem& item, const DcmTagKey& key) {
    OFString v;
    if (item.findAndGetOFStringArray(key, v).bad())
        return {};
    std::string s(v.c_str());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

} // namespace spinelens::dicom
