// model.json: JSON parsing and the card's checks.
#include "Error.h"
#include "ai/ModelCard.h"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded())
        return 0;
    try {
        const auto card = spinelens::ai::ModelCard::fromJson(j, "model.json");
        (void)card.headline();
        (void)card.expectedOutputs();
    } catch (const spinelens::Error&) {
    }
    return 0;
}
