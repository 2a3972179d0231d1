#include "ai/ModelCard.h"

#include "Error.h"

#include <cmath>
#include <fstream>

namespace spinelens::ai {
namespace {

template <typename T>
T required(const nlohmann::json& j, const char* key, const std::string& source) {
    if (!j.contains(key))
        throw Error(std::string("missing \"") + key + "\"", source);
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error(std::string("\"") + key + "\" has the wrong type", source);
    }
}

template <typename T>
T optional(const nlohmann::json& j, const char* key, T fallback, const std::string& source) {
    if (!j.contains(key) || j.at(key).is_null())
        return fallback;
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw Error(std::string("\"") + key + "\" has the wrong type", source);
    }
}

} // namespace

int ModelCard::expectedOutputs() const {
    if (activation == "sigmoid" && classes.size() == 2)
        return 1;
    return int(classes.size());
}

std::string ModelCard::headline() const {
    std::string s = name + " " + version;
    if (weights.find("not trained") != std::string::npos ||
        version.find("untrained") != std::string::npos)
        s += " (UNTRAINED: outputs are meaningless)";
    else if (synthetic)
        s += " (trained on synthetic phantoms)";
    if (!clinicallyValidated)
        s += "; not clinically validated";
    return s;
}

ModelCard ModelCard::fromJson(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object())
        throw Error("not a JSON object", source);
    ModelCard c;
    c.name = required<std::string>(j, "name", source);
    c.version = required<std::string>(j, "version", source);
    c.task = optional<std::string>(j, "task", "", source);
    c.modality = optional<std::string>(j, "modality", "", source);
    c.classes = required<std::vector<std::string>>(j, "classes", source);
    if (c.classes.empty())
        throw Error("\"classes\" is empty", source);
    c.activation = required<std::string>(j, "activation", source);
    if (c.activation != "softmax" && c.activation != "sigmoid")
        throw Error("\"activation\" must be \"softmax\" or \"sigmoid\", not \"" + c.activation +
                        "\"",
                    source);
    if (c.activation == "softmax" && c.classes.size() < 2)
        throw Error("a softmax model needs at least 2 classes", source);
    const auto input = required<nlohmann::json>(j, "input", source);
    c.height = required<int>(input, "height", source + " input");
    c.width = required<int>(input, "width", source + " input");
    c.channels = required<int>(input, "channels", source + " input");
    if (c.height < 8 || c.width < 8 || c.height > 4096 || c.width > 4096)
        throw Error("input size must be between 8 and 4096 pixels", source);
    if (c.channels != 1 && c.channels != 3)
        throw Error("input channels must be 1 or 3", source);
    const auto pre = optional<nlohmann::json>(j, "preprocessing", nlohmann::json::object(), source);
    c.preprocessing.intensity = optional<std::string>(pre, "intensity", "minmax", source);
    if (c.preprocessing.intensity != "minmax" && c.preprocessing.intensity != "divide255" &&
        c.preprocessing.intensity != "zscore" && c.preprocessing.intensity != "none")
        throw Error("unknown preprocessing.intensity \"" + c.preprocessing.intensity + "\"",
                    source);
    c.preprocessing.mean = optional<std::vector<float>>(pre, "mean", {}, source);
    c.preprocessing.std = optional<std::vector<float>>(pre, "std", {}, source);
    if (!c.preprocessing.mean.empty() &&
        (int(c.preprocessing.mean.size()) != c.channels ||
         c.preprocessing.std.size() != c.preprocessing.mean.size()))
        throw Error("preprocessing.mean and .std need one value per input channel", source);
    for (float s : c.preprocessing.std)
        if (!(s > 0))
            throw Error("preprocessing.std values must be positive", source);
    c.preprocessing.resize = optional<std::string>(pre, "resize", "stretch", source);
    if (c.preprocessing.resize != "stretch")
        throw Error("unknown preprocessing.resize \"" + c.preprocessing.resize + "\"", source);
    c.provenance = optional<nlohmann::json>(j, "provenance", nlohmann::json::object(), source);
    c.architecture = optional<std::string>(c.provenance, "architecture", "", source);
    c.weights = optional<std::string>(c.provenance, "weights", "", source);
    c.dataset = optional<std::string>(c.provenance, "dataset", "", source);
    c.synthetic = optional<bool>(c.provenance, "synthetic", false, source);
    c.calibration = optional<nlohmann::json>(j, "calibration", nlohmann::json(), source);
    if (!c.calibration.is_null()) {
        if (!c.calibration.is_object())
            throw Error("\"calibration\" must be an object", source);
        c.temperature = optional<double>(c.calibration, "temperature", 1.0, source);
        if (!std::isfinite(c.temperature) || c.temperature <= 0)
            throw Error("calibration.temperature must be a positive number", source);
        c.calibrated = optional<bool>(c.calibration, "fitted", true, source);
        if (!c.calibrated)
            c.temperature = 1.0; // a temperature that was not fitted is never applied
    }
    c.intendedUse = required<std::string>(j, "intendedUse", source);
    c.clinicallyValidated = optional<bool>(j, "clinicallyValidated", false, source);
    return c;
}

ModelCard ModelCard::fromFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw Error("cannot open the model card", path);
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(std::string("not valid JSON (") + e.what() + ")", path);
    }
    return fromJson(j, path);
}

} // namespace spinelens::ai
