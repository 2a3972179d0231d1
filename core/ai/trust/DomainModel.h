#pragma once
// The domain check: is this image like the ones the model was trained on? Mahalanobis
// distance of the image's pooled features() activations to class-conditional Gaussians with
// one shared covariance (Lee et al. 2018, "A Simple Unified Framework for Detecting
// Out-of-Distribution Samples"), the covariance shrunk by Ledoit and Wolf (2004) so that it can
// be inverted with as many feature dimensions as training images. The score of an image is
// the smallest squared distance to any class mean; it is in domain when the score is at most
// the threshold, which is set on the validation split. models/README.md documents the files.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace spinelens::ai {

/// What the domain check says of one image.
struct DomainCheck {
    bool checked = false; ///< false when the package has no domain model
    double score = 0.0;
    double threshold = 0.0;
    bool inDomain = true; ///< score <= threshold and a training shape (true when not checked)
    /// Why an image with a low score is still out of domain (its shape), else empty.
    std::string reason;
};

/// Pixel width / height range of the training images, widened by kAspectMargin either way:
/// the model stretches every image to its input size, and a shape it never saw (a whole-body
/// scan 1:4 for a model trained on square images) is outside its data however its features
/// score.
constexpr double kAspectMargin = 1.25;

class DomainModel {
public:
    /// Fits class means and the shrunk shared covariance to the training split's pooled
    /// features (one row per image, `dims` values each; labels index the model's classes).
    /// Throws spinelens::Error when there are fewer than two images or a label is out of range.
    static DomainModel fit(const std::vector<float>& features, int dims,
                           const std::vector<int>& labels, int classes);

    /// Smallest squared Mahalanobis distance to a class mean.
    double score(const float* pooledFeatures) const;
    /// `aspect`: the image's width / height in pixels (0: not checked).
    DomainCheck check(const float* pooledFeatures, double aspect) const;

    /// The training images' width / height range (see kAspectMargin).
    void setAspectRange(double lowest, double highest);
    bool hasAspectRange() const { return aspectLow_ > 0; }

    /// The threshold from the scores of images neither the network nor the domain model saw
    /// (the validation split): the empirical quantile at the level k / n, where k is the
    /// smallest rank whose order statistic covers at least `passRate` of new in-domain images
    /// with probability `confidence` (the k-th of n scores covers a Beta(k, n + 1 - k) share).
    /// n is `independentSamples`, the patients or studies behind the scores, since slices of
    /// one study are not independent draws. With too few for that, the largest score, and
    /// thresholdNote() says so.
    void setThreshold(std::vector<double> validationScores, int independentSamples,
                      double passRate = 0.95, double confidence = 0.95);
    double threshold() const { return threshold_; }
    const std::string& thresholdNote() const { return thresholdNote_; }
    int dims() const { return dims_; }
    int classes() const { return classes_; }
    double shrinkage() const { return shrinkage_; }

    /// Extra facts kept in domain.json (pass rates measured by calibrate).
    nlohmann::json& facts() { return facts_; }
    const nlohmann::json& facts() const { return facts_; }

    /// Writes domain.json, domain-means.npy and domain-precision.npy into the package folder.
    void save(const std::string& folder) const;
    /// Reads them back; std::nullopt when the folder has no domain.json. Throws
    /// spinelens::Error naming the file at fault for a damaged or inconsistent model.
    static std::optional<DomainModel> load(const std::string& folder);

private:
    int dims_ = 0, classes_ = 0;
    std::vector<double> means_;     ///< classes * dims
    std::vector<double> precision_; ///< dims * dims, symmetric
    double threshold_ = 0.0;
    double shrinkage_ = 0.0;
    double aspectLow_ = 0.0, aspectHigh_ = 0.0; ///< 0: no shape check (older packages)
    double aspectMargin_ = kAspectMargin;       ///< as domain.json records it
    std::string thresholdNote_;
    nlohmann::json facts_ = nlohmann::json::object();
};

} // namespace spinelens::ai
