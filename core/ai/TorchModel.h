#pragma once
// A TorchScript module behind a plain interface. TorchModel.cpp is the only translation unit
// in SpineLens that includes LibTorch headers (they cost ~30 s each to compile on 2 cores).
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spinelens::ai {

/// Sets LibTorch's intra-op threads (once, at start-up; 0 = all cores).
void setTorchThreads(int threads);

/// Models run from the calling thread use all cores but one (LibTorch's OpenMP team size is a
/// per-thread setting). Background inference while someone reads images leaves that core to
/// the window: on two cores with software OpenGL, a render sharing its core with inference
/// takes two to four times as long.
void leaveOneCoreFree();

/// Model runs from different threads of one process take turns: one LibTorch call at a time,
/// foreground threads (the viewer's own answer, which someone waits for) before background
/// ones (triage). On a 2-core VM, two inference threads at any nice level keep both cores
/// busy, and the window then misses its turn for up to 100 ms (a sleeper woke 100 ms late 20
/// times in 20 s next to two nice-10 spinners, never next to one). Per calling thread;
/// threads start in the foreground.
enum class ModelTurn { Foreground, Background };
void setModelTurn(ModelTurn turn);

class TorchModel {
public:
    /// Throws spinelens::Error naming the file when it is missing or not TorchScript.
    static std::unique_ptr<TorchModel> load(const std::string& path);
    ~TorchModel();

    /// True when the module exports features() and classify() (Grad-CAM possible).
    bool hasFeaturesAndClassify() const;

    /// Logits for n inputs of c x h x w floats each; returns n * outputs, and sets outputs.
    std::vector<float> forward(const float* input, int n, int c, int h, int w, int* outputs) const;
    /// features() averaged over its spatial grid (one value per channel) and classify() of the
    /// full features, for n inputs in one pass: what the domain check and the logits need.
    struct PooledOutputs {
        int dims = 0, outputs = 0;
        std::vector<float> features; ///< n * dims
        std::vector<float> logits;   ///< n * outputs
    };
    PooledOutputs pooledFeaturesAndLogits(const float* input, int n, int c, int h, int w) const;

    /// classify(features(x)) for one input, to check the contract.
    std::vector<float> forwardViaFeatures(const float* input, int c, int h, int w) const;

    /// What Grad-CAM needs for one input: the features() activations A [K, fh, fw] and the
    /// gradient of sign * logit[output] with respect to A. No autograd state survives the call.
    struct FeatureGradients {
        int channels = 0, height = 0, width = 0;
        std::vector<float> activations, gradients, logits;
    };
    FeatureGradients featureGradients(const float* input, int c, int h, int w, int output,
                                      float sign) const;

    /// One features() pass and one classify() graph; choose(logits) names the (output, sign)
    /// scores to differentiate, and their gradients come back in that order. What an
    /// evaluation needs per case (prediction plus maps for two classes) without repeating the
    /// network.
    struct ChosenGradients {
        int channels = 0, height = 0, width = 0;
        std::vector<float> activations, logits;
        std::vector<std::vector<float>> gradients;
    };
    ChosenGradients featureGradientsFor(
        const float* input, int c, int h, int w,
        const std::function<std::vector<std::pair<int, float>>(const std::vector<float>&)>& choose)
        const;

private:
    TorchModel();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace spinelens::ai
