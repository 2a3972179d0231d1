#pragma once
// Text stored as JSON (probabilities, provenances, audit bodies) shown as JSON again, or as
// the text itself when it is not JSON, so nothing stored is ever dropped from an export.
#include <nlohmann/json.hpp>

#include <string>

namespace spinelens {

inline nlohmann::json jsonOrText(const std::string& text) {
    if (text.empty())
        return nullptr;
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        return text;
    }
}

} // namespace spinelens
