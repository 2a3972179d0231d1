#include "ai/trust/Calibration.h"

#include "Error.h"

#include <algorithm>
#include <cmath>

namespace spinelens::ai {

std::vector<double> probabilitiesAt(const std::vector<float>& logits, double temperature) {
    if (logits.size() == 1) {
        const double p = 1.0 / (1.0 + std::exp(-double(logits[0]) / temperature));
        return {1.0 - p, p};
    }
    double top = -INFINITY;
    for (float l : logits)
        top = std::max(top, double(l) / temperature);
    std::vector<double> p(logits.size());
    double sum = 0;
    for (std::size_t k = 0; k < logits.size(); ++k)
        sum += (p[k] = std::exp(double(logits[k]) / temperature - top));
    for (double& v : p)
        v /= sum;
    return p;
}

double negativeLogLikelihood(const LabelledLogits& data, double temperature) {
    double total = 0;
    for (std::size_t i = 0; i < data.labels.size(); ++i) {
        const std::vector<float>& z = data.logits[i];
        const int y = data.labels[i];
        if (z.size() == 1) {
            // -log sigmoid(s) = softplus(-s), written so neither branch overflows.
            const double s = (y == 1 ? 1.0 : -1.0) * double(z[0]) / temperature;
            total += s > 0 ? std::log1p(std::exp(-s)) : -s + std::log1p(std::exp(s));
            continue;
        }
        // log-sum-exp as top + log1p(sum of the others): a confidently right answer keeps a
        // tiny positive loss instead of rounding to exactly 0, so a flat tail is not taken
        // for a minimum.
        const std::size_t best = std::size_t(std::max_element(z.begin(), z.end()) - z.begin());
        const double top = double(z[best]) / temperature;
        double others = 0;
        for (std::size_t k = 0; k < z.size(); ++k)
            if (k != best)
                others += std::exp(double(z[k]) / temperature - top);
        total += top - double(z[std::size_t(y)]) / temperature + std::log1p(others);
    }
    return total / double(std::max<std::size_t>(1, data.labels.size()));
}

TemperatureFit fitTemperature(const LabelledLogits& data) {
    if (data.labels.empty() || data.labels.size() != data.logits.size())
        throw Error("temperature scaling needs at least one labelled validation sample");
    TemperatureFit fit;
    fit.samples = int(data.labels.size());
    fit.nllBefore = negativeLogLikelihood(data, 1.0);
    const auto f = [&](double logT) { return negativeLogLikelihood(data, std::exp(logT)); };
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = std::log(kMinTemperature), b = std::log(kMaxTemperature);
    double c = b - ratio * (b - a), d = a + ratio * (b - a);
    double fc = f(c), fd = f(d);
    while (b - a > 1e-9) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = f(d);
        }
    }
    fit.temperature = std::exp((a + b) / 2);
    fit.nllAfter = negativeLogLikelihood(data, fit.temperature);
    // No interior minimum: the search ended near a bound, or a bound is as good as the point
    // it found (the NLL is flat there, as when every validation image is separated).
    const double flat = 1e-12 + 1e-9 * fit.nllAfter;
    fit.atBound = std::abs(std::log(fit.temperature / kMinTemperature)) < 1e-3 ||
                  std::abs(std::log(fit.temperature / kMaxTemperature)) < 1e-3 ||
                  negativeLogLikelihood(data, kMinTemperature) <= fit.nllAfter + flat ||
                  negativeLogLikelihood(data, kMaxTemperature) <= fit.nllAfter + flat;
    return fit;
}

double expectedCalibrationError(const std::vector<std::vector<double>>& probabilities,
                                const std::vector<int>& labels, int bins) {
    if (probabilities.empty() || bins < 1)
        return 0.0;
    std::vector<double> confidence(std::size_t(bins), 0.0), correct(std::size_t(bins), 0.0);
    std::vector<int> count(std::size_t(bins), 0);
    for (std::size_t i = 0; i < probabilities.size(); ++i) {
        const auto& p = probabilities[i];
        const auto top = std::max_element(p.begin(), p.end());
        if (!std::isfinite(*top))
            continue; // a broken row is no evidence either way
        const int predicted = int(top - p.begin());
        // (lower, upper] bins, as eval/Metrics.cpp's reliability diagram.
        const int bin = std::clamp(int(std::ceil(*top * bins)) - 1, 0, bins - 1);
        confidence[std::size_t(bin)] += *top;
        correct[std::size_t(bin)] += predicted == labels[i] ? 1.0 : 0.0;
        ++count[std::size_t(bin)];
    }
    double ece = 0;
    for (std::size_t b = 0; b < count.size(); ++b)
        if (count[b] > 0)
            ece += std::abs(correct[b] - confidence[b]) / double(probabilities.size());
    return ece;
}

} // namespace spinelens::ai
