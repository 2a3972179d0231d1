#include "data/Csv.h"

#include "Error.h"

#include <fstream>
#include <sstream>

namespace spinelens::data {

std::size_t CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name)
            return i;
    throw Error("missing column \"" + name + "\"", path);
}

bool CsvTable::hasColumn(const std::string& name) const {
    for (const auto& h : header)
        if (h == name)
            return true;
    return false;
}

CsvTable readCsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open CSV file", path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();

    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, fieldStarted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
            continue;
        }
        if (c == '"' && !fieldStarted) {
            quoted = fieldStarted = true;
        } else if (c == ',') {
            record.push_back(field);
            field.clear();
            fieldStarted = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            record.push_back(field);
            field.clear();
            fieldStarted = false;
            if (!(record.size() == 1 && record[0].empty()))
                records.push_back(record);
            record.clear();
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted)
        throw Error("unterminated quoted field", path);
    if (fieldStarted || !record.empty()) {
        record.push_back(field);
        records.push_back(record);
    }
    if (records.empty())
        throw Error("empty CSV file (no header)", path);
    CsvTable t;
    t.path = path;
    t.header = records.front();
    if (!t.header.empty() && t.header[0].rfind("\xEF\xBB\xBF", 0) == 0)
        t.header[0] = t.header[0].substr(3); // UTF-8 byte order mark
    for (auto& h : t.header)
        while (!h.empty() && (h.back() == ' ' || h.back() == '\t'))
            h.pop_back();
    t.rows.assign(records.begin() + 1, records.end());
    return t;
}

} // namespace spinelens::data
