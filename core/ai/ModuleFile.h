#pragma once
// Reading and writing TorchScript files, with SpineLens's optional compact weight storage.
// Implemented in TorchModel.cpp (one of the two LibTorch translation units); callers that use
// this header include LibTorch themselves.
//
// Compact storage: convolution and dense weights of 4096 values or more are kept as int8 with
// one float scale per output channel (symmetric, scale = max |w| / 127) in an extra file
// inside model.pt ("spinelens/int8-weights.pkl", a torch.save-compatible dict); the module's
// own copy of such a weight is left empty. Loading puts back q * scale. It keeps the two
// shipped packages under 20 MiB each (the MRI CNN's dense layer alone has 11 million weights)
// at the cost of a rounding error of at most scale / 2 per weight.
#include <string>

namespace torch::jit {
struct Module;
}

namespace spinelens::ai {

/// The extra file that carries the int8 weights.
inline constexpr const char* kInt8WeightsEntry = "spinelens/int8-weights.pkl";

/// Loads a TorchScript module on the CPU, expanding compact weights. Throws spinelens::Error
/// naming the file when it is missing, not TorchScript, or its compact weights do not fit.
torch::jit::Module loadModuleFile(const std::string& path);

/// Saves the module; with int8Weights, in the compact storage described above. The module
/// itself is left unchanged. Throws spinelens::Error naming the file.
void saveModuleFile(const torch::jit::Module& module, const std::string& path, bool int8Weights);

/// Rewrites a model.pt with int8 weights (for callers without LibTorch headers).
void compactModuleFile(const std::string& input, const std::string& output);

} // namespace spinelens::ai
