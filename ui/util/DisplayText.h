#pragma once
// How DICOM text from core (UTF-8 std::string) is shown in widgets, in one place.
#include <QString>

#include <string>

namespace spinelens::ui {

inline QString q(const std::string& s) {
    return QString::fromStdString(s);
}

/// Text from core in rich text (a label's HTML): '<' and '&' shown as they are.
inline QString html(const std::string& s) {
    return q(s).toHtmlEscaped();
}

/// A PN value as people read it: "DOE^JOHN" as "DOE JOHN" (the overlay's form too).
inline QString displayPersonName(const std::string& name) {
    return q(name).replace('^', ' ').simplified();
}

} // namespace spinelens::ui
