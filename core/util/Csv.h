#pragma once
// One CSV field as RFC 4180 writes it: quoted (quotes doubled) only when it holds a comma, a
// quote or a line break, so the exports open the same in spreadsheets and in pandas.
#include <string>

namespace spinelens {

inline std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace spinelens
