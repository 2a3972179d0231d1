#pragma once
// A small CSV reader (RFC 4180: quoted fields, doubled quotes, CRLF) for the data set layouts.
#include <map>
#include <string>
#include <vector>

namespace spinelens::data {

struct CsvTable {
    std::string path;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    /// Column index by name; throws spinelens::Error naming the file and the missing column.
    std::size_t column(const std::string& name) const;
    bool hasColumn(const std::string& name) const;
};

/// Throws spinelens::Error naming the file when it cannot be read or has no header.
CsvTable readCsv(const std::string& path);

} // namespace spinelens::data
