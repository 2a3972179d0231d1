#include "ai/trust/DomainModel.h"

#include "Error.h"
#include "util/Npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace spinelens::ai {
namespace {

constexpr const char* kFormat = "spinelens-domain-1";

// In-place Cholesky factor L (lower) of a symmetric positive definite n x n matrix; false when
// it is not positive definite.
bool cholesky(std::vector<double>& a, int n) {
    for (int j = 0; j < n; ++j) {
        double d = a[std::size_t(j) * n + j];
        for (int k = 0; k < j; ++k)
            d -= a[std::size_t(j) * n + k] * a[std::size_t(j) * n + k];
        if (!(d > 0))
            return false;
        const double ljj = std::sqrt(d);
        a[std::size_t(j) * n + j] = ljj;
        for (int i = j + 1; i < n; ++i) {
            double s = a[std::size_t(i) * n + j];
            for (int k = 0; k < j; ++k)
                s -= a[std::size_t(i) * n + k] * a[std::size_t(j) * n + k];
            a[std::size_t(i) * n + j] = s / ljj;
        }
        for (int i = 0; i < j; ++i)
            a[std::size_t(i) * n + j] = 0.0;
    }
    return true;
}

// Inverse of a symmetric positive definite matrix through its Cholesky factor:
// A^-1 = L^-T L^-1.
std::vector<double> inverseSpd(std::vector<double> a, int n) {
    if (!cholesky(a, n))
        throw Error("the feature covariance is not positive definite");
    std::vector<double> inv(std::size_t(n) * n, 0.0); // L^-1, lower triangular
    for (int j = 0; j < n; ++j) {
        inv[std::size_t(j) * n + j] = 1.0 / a[std::size_t(j) * n + j];
        for (int i = j + 1; i < n; ++i) {
            double s = 0;
            for (int k = j; k < i; ++k)
                s += a[std::size_t(i) * n + k] * inv[std::size_t(k) * n + j];
            inv[std::size_t(i) * n + j] = -s / a[std::size_t(i) * n + i];
        }
    }
    std::vector<double> p(std::size_t(n) * n, 0.0);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) {
            double s = 0;
            for (int k = i; k < n; ++k)
                s += inv[std::size_t(k) * n + i] * inv[std::size_t(k) * n + j];
            p[std::size_t(i) * n + j] = p[std::size_t(j) * n + i] = s;
        }
    return p;
}

// P(Binomial(n, q) <= k), summed from log-space terms
double binomialCdf(int n, double q, int k) {
    double total = 0;
    for (int i = 0; i <= k; ++i)
        total += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                          i * std::log(q) + (n - i) * std::log1p(-q));
    return total;
}

} // namespace

DomainModel DomainModel::fit(const std::vector<float>& features, int dims,
                             const std::vector<int>& labels, int classes) {
    const int n = int(labels.size());
    if (dims < 1 || classes < 1 || n < 2 || features.size() != std::size_t(n) * dims)
        throw Error("the domain model needs the pooled features of at least two training images");
    DomainModel m;
    m.dims_ = dims;
    m.classes_ = classes;
    m.means_.assign(std::size_t(classes) * dims, 0.0);
    std::vector<int> count(std::size_t(classes), 0);
    for (int i = 0; i < n; ++i) {
        if (labels[i] < 0 || labels[i] >= classes)
            throw Error("a training label is out of range for the domain model");
        ++count[std::size_t(labels[i])];
        for (int d = 0; d < dims; ++d)
            m.means_[std::size_t(labels[i]) * dims + d] += features[std::size_t(i) * dims + d];
    }
    for (int c = 0; c < classes; ++c) {
        if (count[std::size_t(c)] == 0)
            throw Error("class " + std::to_string(c) +
                        " has no training image; the domain model needs every class");
        for (int d = 0; d < dims; ++d)
            m.means_[std::size_t(c) * dims + d] /= count[std::size_t(c)];
    }
    // Within-class residuals; their (uncentred) covariance is the shared covariance.
    std::vector<double> r(std::size_t(n) * dims);
    for (int i = 0; i < n; ++i)
        for (int d = 0; d < dims; ++d)
            r[std::size_t(i) * dims + d] =
                features[std::size_t(i) * dims + d] - m.means_[std::size_t(labels[i]) * dims + d];
    std::vector<double> cov(std::size_t(dims) * dims, 0.0);
    for (int i = 0; i < n; ++i) {
        const double* x = &r[std::size_t(i) * dims];
        for (int a = 0; a < dims; ++a) {
            const double xa = x[a];
            if (xa == 0.0)
                continue;
            double* row = &cov[std::size_t(a) * dims];
            for (int b = 0; b <= a; ++b)
                row[b] += xa * x[b];
        }
    }
    for (int a = 0; a < dims; ++a)
        for (int b = 0; b <= a; ++b)
            cov[std::size_t(b) * dims + a] = cov[std::size_t(a) * dims + b] /= n;
    // Ledoit-Wolf shrinkage intensity, as scikit-learn's ledoit_wolf_shrinkage computes it for
    // centred data (tests/reference/trust_reference.py checks it against LedoitWolf).
    double trace = 0, frobenius = 0, beta = 0;
    for (int a = 0; a < dims; ++a)
        trace += cov[std::size_t(a) * dims + a];
    for (double v : cov)
        frobenius += v * v;
    for (int i = 0; i < n; ++i) {
        double norm2 = 0;
        for (int d = 0; d < dims; ++d)
            norm2 += r[std::size_t(i) * dims + d] * r[std::size_t(i) * dims + d];
        beta += norm2 * norm2;
    }
    const double mu = trace / dims;
    double betaHat = (beta / n - frobenius) / (double(dims) * n);
    const double delta = (frobenius - 2.0 * mu * trace + dims * mu * mu) / dims;
    betaHat = std::min(betaHat, delta);
    m.shrinkage_ = betaHat == 0 ? 0.0 : betaHat / delta;
    for (double& v : cov)
        v *= 1.0 - m.shrinkage_;
    for (int a = 0; a < dims; ++a)
        cov[std::size_t(a) * dims + a] += m.shrinkage_ * mu;
    if (!(mu > 0))
        throw Error("the training images' features do not vary; the domain model cannot be "
                    "fitted");
    // Rank-deficient features can leave the shrinkage at 0 and the covariance singular: a small
    // ridge (relative to the mean variance) then makes it invertible, and is recorded.
    double ridge = 0.0;
    for (int attempt = 0;; ++attempt) {
        try {
            std::vector<double> c = cov;
            for (int a = 0; a < dims; ++a)
                c[std::size_t(a) * dims + a] += ridge;
            m.precision_ = inverseSpd(std::move(c), dims);
            break;
        } catch (const Error&) {
            if (attempt == 6)
                throw Error("the training features' covariance cannot be inverted; the domain "
                            "model cannot be fitted");
            ridge = ridge == 0.0 ? 1e-6 * mu : ridge * 10.0;
        }
    }
    m.facts_["ridge"] = ridge;
    m.facts_["trainImages"] = n;
    return m;
}

double DomainModel::score(const float* f) const {
    double best = INFINITY;
    std::vector<double> d(static_cast<std::size_t>(dims_));
    for (int c = 0; c < classes_; ++c) {
        for (int k = 0; k < dims_; ++k)
            d[std::size_t(k)] = double(f[k]) - means_[std::size_t(c) * dims_ + k];
        double s = 0;
        for (int a = 0; a < dims_; ++a) {
            const double* row = &precision_[std::size_t(a) * dims_];
            double t = 0;
            for (int b = 0; b < dims_; ++b)
                t += row[b] * d[std::size_t(b)];
            s += d[std::size_t(a)] * t;
        }
        best = std::min(best, s);
    }
    return std::isfinite(best) ? best : INFINITY;
}

DomainCheck DomainModel::check(const float* pooledFeatures, double aspect) const {
    DomainCheck c;
    c.checked = true;
    c.score = score(pooledFeatures);
    c.threshold = threshold_;
    c.inDomain = c.score <= threshold_;
    if (hasAspectRange() && aspect > 0 &&
        (aspect < aspectLow_ / aspectMargin_ || aspect > aspectHigh_ * aspectMargin_)) {
        char text[160];
        std::snprintf(text, sizeof text,
                      "its shape (width / height %.2f) is unlike every training image "
                      "(%.2f to %.2f)",
                      aspect, aspectLow_, aspectHigh_);
        c.reason = text;
        c.inDomain = false;
    }
    return c;
}

void DomainModel::setAspectRange(double lowest, double highest) {
    if (!(lowest > 0) || !(highest >= lowest) || !std::isfinite(highest))
        throw Error("the training images' shapes are not a valid range");
    aspectLow_ = lowest;
    aspectHigh_ = highest;
}

void DomainModel::setThreshold(std::vector<double> scores, int independentSamples, double passRate,
                               double confidence) {
    if (scores.empty() || independentSamples < 1)
        throw Error("the domain threshold needs scores of images the model did not see");
    std::sort(scores.begin(), scores.end());
    const int n = independentSamples;
    int k = n + 1; // 1-based rank among n independent draws; n + 1: none is enough
    for (int candidate = 1; candidate <= n; ++candidate)
        if (binomialCdf(n, passRate, candidate - 1) >= confidence) {
            k = candidate;
            break;
        }
    thresholdNote_.clear();
    double level = double(k) / n;
    if (k > n) {
        level = 1.0;
        thresholdNote_ = "only " + std::to_string(n) +
                         " independent patients/studies in the validation split: too few to "
                         "promise the pass rate at this confidence; the threshold is the largest "
                         "validation score";
    }
    // Nearest rank: the smallest score with at least `level` of the scores at or below it.
    const std::size_t rank = std::min(
        scores.size(),
        std::max<std::size_t>(1, std::size_t(std::ceil(level * double(scores.size()) - 1e-9))));
    threshold_ = scores[rank - 1];
    facts_["thresholdRule"] = {{"validationScores", scores.size()},
                               {"independentSamples", n},
                               {"quantile", level},
                               {"targetPassRate", passRate},
                               {"confidence", confidence}};
}

void DomainModel::save(const std::string& folder) const {
    const fs::path dir(folder);
    writeNpy((dir / "domain-means.npy").string(), {classes_, dims_, means_});
    writeNpy((dir / "domain-precision.npy").string(), {dims_, dims_, precision_});
    nlohmann::json j = facts_;
    j["format"] = kFormat;
    j["method"] = "mahalanobis";
    j["reference"] = "Lee et al. 2018 (class-conditional Gaussians, shared covariance); "
                     "covariance shrunk by Ledoit and Wolf 2004";
    j["features"] = "features() output averaged over its spatial grid (one value per channel)";
    j["featureDim"] = dims_;
    j["classes"] = classes_;
    j["means"] = "domain-means.npy";
    j["precision"] = "domain-precision.npy";
    j["score"] = "min over classes c of (f - means[c]) . precision . (f - means[c])";
    j["shrinkage"] = shrinkage_;
    j["threshold"] = threshold_;
    j["inDomain"] = hasAspectRange() ? "score <= threshold and the image's width / height within "
                                       "[inputAspect.min / margin, inputAspect.max * margin]"
                                     : "score <= threshold";
    if (hasAspectRange())
        j["inputAspect"] = {{"min", aspectLow_},
                            {"max", aspectHigh_},
                            {"margin", aspectMargin_},
                            {"of", "training images, width / height in pixels"}};
    if (!thresholdNote_.empty())
        j["thresholdNote"] = thresholdNote_;
    std::ofstream out(dir / "domain.json");
    out << j.dump(2) << '\n';
    if (!out)
        throw Error("cannot write the domain model", (dir / "domain.json").string());
}

std::optional<DomainModel> DomainModel::load(const std::string& folder) {
    const fs::path dir(folder);
    const std::string path = (dir / "domain.json").string();
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::nullopt;
    std::ifstream in(path);
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("not valid JSON (") + e.what() + ")", path);
    }
    DomainModel m;
    try {
        if (j.value("format", "") != kFormat || j.value("method", "") != "mahalanobis")
            throw Error(std::string("not a domain model this version reads (format must be ") +
                            kFormat + ", method mahalanobis)",
                        path);
        m.dims_ = j.at("featureDim").get<int>();
        m.classes_ = j.at("classes").get<int>();
        m.threshold_ = j.at("threshold").get<double>();
        m.shrinkage_ = j.value("shrinkage", 0.0);
        m.thresholdNote_ = j.value("thresholdNote", "");
        if (j.contains("inputAspect")) {
            const double lo = j.at("inputAspect").at("min").get<double>();
            const double hi = j.at("inputAspect").at("max").get<double>();
            const double margin = j.at("inputAspect").at("margin").get<double>();
            if (!(lo > 0) || !(hi >= lo) || !std::isfinite(hi) || !(margin >= 1) ||
                !std::isfinite(margin))
                throw Error("\"inputAspect\" is not a valid range", path);
            m.aspectLow_ = lo;
            m.aspectHigh_ = hi;
            m.aspectMargin_ = margin;
        }
        const NpyMatrix means = readNpy((dir / j.at("means").get<std::string>()).string());
        const NpyMatrix precision = readNpy((dir / j.at("precision").get<std::string>()).string());
        if (m.dims_ < 1 || m.classes_ < 1 || means.rows != m.classes_ || means.cols != m.dims_ ||
            precision.rows != m.dims_ || precision.cols != m.dims_)
            throw Error("its arrays do not have the shapes featureDim and classes give", path);
        if (!std::isfinite(m.threshold_))
            throw Error("\"threshold\" is not a finite number", path);
        for (const auto* values : {&means.values, &precision.values})
            for (double v : *values)
                if (!std::isfinite(v))
                    throw Error("its arrays hold a value that is not a finite number", path);
        m.means_ = means.values;
        m.precision_ = precision.values;
        m.facts_ = j;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("a required field is missing or has the wrong type (") + e.what() +
                        ")",
                    path);
    }
    return m;
}

} // namespace spinelens::ai
