#include "ai/FlagScore.h"

#include <algorithm>
#include <cctype>

namespace spinelens::ai {

int normalClassIndex(const std::vector<std::string>& classes) {
    for (std::size_t c = 0; c < classes.size(); ++c) {
        std::string name = classes[c];
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return char(std::tolower(ch)); });
        if (name == "normal" || name == "healthy")
            return int(c);
    }
    return -1;
}

double flagScore(const std::vector<std::string>& classes, const std::vector<float>& p) {
    if (p.empty())
        return 0;
    const int normal = normalClassIndex(classes);
    return normal >= 0 && std::size_t(normal) < p.size()
               ? 1.0 - double(p[std::size_t(normal)])
               : double(*std::max_element(p.begin(), p.end()));
}

float flagScore(const std::vector<std::string>& classes, const Prediction& p) {
    return p.domain.inDomain ? float(flagScore(classes, p.probabilities)) : -1.0f;
}

std::vector<float> flagScores(const ModelCard& card, const SeriesPrediction& series) {
    std::vector<float> out;
    out.reserve(series.slices.size());
    for (const Prediction& p : series.slices)
        out.push_back(flagScore(card.classes, p));
    return out;
}

} // namespace spinelens::ai
