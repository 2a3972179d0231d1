#pragma once
// Metrics as JSON (spinelens-cli metrics, the run file's metrics table, the HTML report).
// NaN (undefined) figures are written as null.
#include "eval/Metrics.h"

#include <nlohmann/json.hpp>

namespace spinelens::eval {

nlohmann::json toJson(const Metrics& m, bool withCurves = true);

} // namespace spinelens::eval
