#pragma once
// JSON form of a scan, as printed by `spinelens-cli info`.
#include "dicom/SeriesInfo.h"

#include <nlohmann/json.hpp>

namespace spinelens::cli {

nlohmann::json toJson(const SeriesInfo& series);
nlohmann::json toJson(const ScanResult& scan);

} // namespace spinelens::cli
