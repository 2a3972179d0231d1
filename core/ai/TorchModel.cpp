#include "ai/TorchModel.h"

#include "Error.h"
#include "ai/ModuleFile.h"
#include "ai/TensorMemory.h"

#include <torch/script.h>
#include <torch/torch.h>

#if __has_include(<omp.h>)
#include <omp.h>
#endif

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <sstream>

namespace spinelens::ai {

void setTorchThreads(int threads) {
    static std::once_flag once;
    cacheLargeTensorBlocks();
    std::call_once(once, [threads] {
        torch::set_num_threads(
            threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency())));
    });
}

void leaveOneCoreFree() {
#if __has_include(<omp.h>)
    // ATen's first parallel call on a thread sets the thread's OpenMP team size to the global
    // one; done first here, so that it does not undo the setting below on a fresh pool thread.
    at::internal::lazy_init_num_threads();
    omp_set_num_threads(int(std::max(1u, std::thread::hardware_concurrency() - 1)));
#endif
}

namespace {

thread_local ModelTurn t_turn = ModelTurn::Foreground;

// One model call at a time in the process; a waiting foreground call goes before any
// background one.
class TurnGate {
public:
    void acquire(bool foreground) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (foreground)
            ++foregroundWaiting_;
        ready_.wait(lock, [&] { return !busy_ && (foreground || foregroundWaiting_ == 0); });
        if (foreground)
            --foregroundWaiting_;
        busy_ = true;
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            busy_ = false;
        }
        ready_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    bool busy_ = false;
    int foregroundWaiting_ = 0;
};

TurnGate& turnGate() {
    static TurnGate* gate = new TurnGate; // lives with the process: pool threads may outlive main
    return *gate;
}

// Held for the length of one model call (taken before the model's own mutex, in every call).
class Turn {
public:
    Turn() { turnGate().acquire(t_turn == ModelTurn::Foreground); }
    ~Turn() { turnGate().release(); }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
};

} // namespace

void setModelTurn(ModelTurn turn) {
    t_turn = turn;
}

struct TorchModel::Impl {
    mutable torch::jit::Module module;
    bool contract = false;
    // TorchScript modules are not safe to run from two threads at once with autograd on.
    mutable std::mutex mutex;
};

TorchModel::TorchModel() : impl_(std::make_unique<Impl>()) {}
TorchModel::~TorchModel() = default;

std::unique_ptr<TorchModel> TorchModel::load(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("model file is missing", path);
    cacheLargeTensorBlocks();
    std::unique_ptr<TorchModel> m(new TorchModel());
    m->impl_->module = loadModuleFile(path);
    m->impl_->module.eval();
    m->impl_->contract = m->impl_->module.find_method("features").has_value() &&
                         m->impl_->module.find_method("classify").has_value();
    return m;
}

namespace {

constexpr std::int64_t kCompactMinimumValues = 4096;

// The submodule that owns a dotted parameter name ("layer1.0.conv1.weight"), and the last part.
std::pair<torch::jit::Module, std::string> owner(const torch::jit::Module& root,
                                                 const std::string& dotted) {
    torch::jit::Module m = root;
    std::string rest = dotted;
    for (std::size_t dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
        m = m.attr(rest.substr(0, dot)).toModule();
        rest = rest.substr(dot + 1);
    }
    return {m, rest};
}

// Shape of the per-output-channel scale for broadcasting against a weight: [C, 1, 1, ...].
std::vector<std::int64_t> scaleShape(const torch::Tensor& w) {
    std::vector<std::int64_t> shape(std::size_t(w.dim()), 1);
    shape[0] = w.size(0);
    return shape;
}

void expandInt8Weights(torch::jit::Module& module, const std::string& pickled,
                       const std::string& path) {
    const c10::IValue value = torch::pickle_load(std::vector<char>(pickled.begin(), pickled.end()));
    if (!value.isGenericDict())
        throw Error("its compact weights are not a dictionary", path);
    const c10::Dict<c10::IValue, c10::IValue> dict = value.toGenericDict();
    for (const auto& entry : dict) {
        const std::string key = entry.key().toStringRef();
        if (key.size() < 6 || key.compare(key.size() - 6, 6, "#scale") == 0)
            continue;
        const torch::Tensor q = entry.value().toTensor();
        const auto scaleIt = dict.find(c10::IValue(key + "#scale"));
        if (scaleIt == dict.end() || q.scalar_type() != torch::kInt8 || q.dim() < 2)
            throw Error("its compact weight " + key + " is malformed", path);
        const torch::Tensor scale = scaleIt->value().toTensor().to(torch::kFloat32);
        if (scale.numel() != q.size(0))
            throw Error("its compact weight " + key + " has the wrong number of scales", path);
        auto [sub, name] = owner(module, key);
        if (!sub.hasattr(name))
            throw Error("its compact weight " + key + " names no parameter of the module", path);
        sub.setattr(name, (q.to(torch::kFloat32) * scale.view(scaleShape(q))).contiguous());
    }
}

} // namespace

torch::jit::Module loadModuleFile(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error("model file is missing", path);
    try {
        torch::jit::ExtraFilesMap extra{{kInt8WeightsEntry, ""}};
        torch::jit::Module module = torch::jit::load(path, torch::kCPU, extra);
        if (!extra[kInt8WeightsEntry].empty())
            expandInt8Weights(module, extra[kInt8WeightsEntry], path);
        return module;
    } catch (const c10::Error& e) {
        const std::string what = e.what_without_backtrace();
        throw Error("not a loadable TorchScript module (" + what.substr(0, 200) + ")", path);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(std::string("not a loadable TorchScript module (") + e.what() + ")", path);
    }
}

void saveModuleFile(const torch::jit::Module& module, const std::string& path, bool int8Weights) {
    try {
        if (!int8Weights) {
            module.save(path);
            return;
        }
        torch::jit::Module copy = module.deepcopy();
        c10::Dict<std::string, torch::Tensor> store;
        torch::NoGradGuard noGrad;
        for (const auto& p : copy.named_parameters(true)) {
            const torch::Tensor w = p.value.detach();
            if (w.scalar_type() != torch::kFloat32 || w.dim() < 2 ||
                w.numel() < kCompactMinimumValues)
                continue;
            const torch::Tensor scale =
                (w.abs().reshape({w.size(0), -1}).amax(1) / 127.0).clamp_min(1e-12);
            store.insert(p.name,
                         (w / scale.view(scaleShape(w))).round().clamp(-127, 127).to(torch::kInt8));
            store.insert(p.name + "#scale", scale.contiguous());
            auto [sub, name] = owner(copy, p.name);
            sub.setattr(name, torch::empty({0}, torch::kFloat32));
        }
        const std::vector<char> bytes = torch::pickle_save(c10::IValue(store));
        torch::jit::ExtraFilesMap extra{
            {kInt8WeightsEntry, std::string(bytes.begin(), bytes.end())}};
        copy.save(path, extra);
    } catch (const c10::Error& e) {
        throw Error(std::string("cannot save the module (") + e.what_without_backtrace() + ")",
                    path);
    }
}

void compactModuleFile(const std::string& input, const std::string& output) {
    saveModuleFile(loadModuleFile(input), output, true);
}

bool TorchModel::hasFeaturesAndClassify() const {
    return impl_->contract;
}

namespace {

torch::Tensor toTensor(const float* input, int n, int c, int h, int w) {
    return torch::from_blob(const_cast<float*>(input), {n, c, h, w}, torch::kFloat32).clone();
}

std::vector<float> toVector(const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor asTensor(const c10::IValue& v, const char* what) {
    if (!v.isTensor())
        throw Error(std::string(what) + " did not return a tensor");
    return v.toTensor();
}

} // namespace

std::vector<float> TorchModel::forward(const float* input, int n, int c, int h, int w,
                                       int* outputs) const {
    const Turn turn;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    torch::NoGradGuard noGrad;
    try {
        torch::Tensor out =
            asTensor(impl_->module.forward({toTensor(input, n, c, h, w)}), "forward()");
        if (out.dim() != 2 || out.size(0) != n)
            throw Error("forward() must return logits of shape [N, K]; it returned " +
                        std::to_string(out.dim()) + " dimensions");
        if (outputs)
            *outputs = int(out.size(1));
        return toVector(out);
    } catch (const c10::Error& e) {
        throw Error(std::string("the model failed on this input (") + e.what_without_backtrace() +
                    ")");
    }
}

std::vector<float> TorchModel::forwardViaFeatures(const float* input, int c, int h, int w) const {
    const Turn turn;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    torch::NoGradGuard noGrad;
    try {
        torch::Tensor f = asTensor(
            impl_->module.get_method("features")({toTensor(input, 1, c, h, w)}), "features()");
        return toVector(asTensor(impl_->module.get_method("classify")({f}), "classify()"));
    } catch (const c10::Error& e) {
        throw Error(std::string("features()/classify() failed (") + e.what_without_backtrace() +
                    ")");
    }
}

TorchModel::PooledOutputs TorchModel::pooledFeaturesAndLogits(const float* input, int n, int c,
                                                              int h, int w) const {
    if (!impl_->contract)
        throw Error("this model does not export features() and classify(); the domain check "
                    "needs them");
    const Turn turn;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    torch::NoGradGuard noGrad;
    try {
        torch::Tensor f = asTensor(
            impl_->module.get_method("features")({toTensor(input, n, c, h, w)}), "features()");
        if (f.dim() != 4 || f.size(0) != n)
            throw Error("features() must return [N, K, h, w] activations");
        torch::Tensor logits = asTensor(impl_->module.get_method("classify")({f}), "classify()");
        if (logits.dim() != 2 || logits.size(0) != n)
            throw Error("classify() must return logits of shape [N, K]");
        PooledOutputs out;
        out.dims = int(f.size(1));
        out.outputs = int(logits.size(1));
        out.features = toVector(f.mean({2, 3}));
        out.logits = toVector(logits);
        return out;
    } catch (const c10::Error& e) {
        throw Error(std::string("features()/classify() failed (") + e.what_without_backtrace() +
                    ")");
    }
}

TorchModel::FeatureGradients TorchModel::featureGradients(const float* input, int c, int h, int w,
                                                          int output, float sign) const {
    // The single-score case of featureGradientsFor: one graph-building path to maintain.
    ChosenGradients chosen =
        featureGradientsFor(input, c, h, w, [output, sign](const std::vector<float>&) {
            return std::vector<std::pair<int, float>>{{output, sign}};
        });
    FeatureGradients g;
    g.channels = chosen.channels;
    g.height = chosen.height;
    g.width = chosen.width;
    g.activations = std::move(chosen.activations);
    g.gradients = std::move(chosen.gradients.front());
    g.logits = std::move(chosen.logits);
    return g;
}

TorchModel::ChosenGradients TorchModel::featureGradientsFor(
    const float* input, int c, int h, int w,
    const std::function<std::vector<std::pair<int, float>>(const std::vector<float>&)>& choose)
    const {
    if (!impl_->contract)
        throw Error("this model does not export features() and classify(); Grad-CAM needs them "
                    "(occlusion works with any model)");
    const Turn turn;
    std::lock_guard<std::mutex> lock(impl_->mutex);
    try {
        torch::AutoGradMode enable(true);
        torch::Tensor features;
        {
            torch::NoGradGuard noGrad;
            features = asTensor(impl_->module.get_method("features")({toTensor(input, 1, c, h, w)}),
                                "features()");
        }
        if (features.dim() != 4)
            throw Error("features() must return [N, K, h, w] activations");
        features = features.detach().requires_grad_(true);
        torch::Tensor logits =
            asTensor(impl_->module.get_method("classify")({features}), "classify()");
        ChosenGradients g;
        g.channels = int(features.size(1));
        g.height = int(features.size(2));
        g.width = int(features.size(3));
        g.activations = toVector(features);
        g.logits = toVector(logits);
        const auto chosen = choose(g.logits);
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const auto [output, sign] = chosen[k];
            if (output < 0 || output >= logits.size(1))
                throw Error("class index out of range for this model");
            torch::Tensor score = logits.index({0, output}) * sign;
            // Keep the graph until the last gradient has been taken.
            g.gradients.push_back(
                toVector(torch::autograd::grad({score}, {features}, {}, k + 1 < chosen.size())[0]));
        }
        return g;
    } catch (const c10::Error& e) {
        throw Error(std::string("gradient computation failed (") + e.what_without_backtrace() +
                    ")");
    }
}

} // namespace spinelens::ai
