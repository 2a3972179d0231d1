#pragma once
// Metrics as JSON (spinelens-cli metrics, the run file's metrics table, the HTML report).
// NaN (undefined) figures are written as null.
#include "eval/Metrics.h"

#include <nlohmann/json.hpp>

#include <string>

namespace spinelens::eval {

nlohmann::json toJson(const Metrics& m, bool withCurves = true);

/// The inverse of toJson (null back to NaN), so the browser shows the figures stored in the
/// run file instead of recomputing them. Throws spinelens::Error when a field is missing or
/// has the wrong type; `source` names the file in that message.
Metrics metricsFromJson(const nlohmann::json& j, const std::string& source);

} // namespace spinelens::eval
