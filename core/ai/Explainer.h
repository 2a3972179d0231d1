#pragma once
// Heatmaps that show where the evidence for a class lies, in the source image's pixels:
// Grad-CAM (Selvaraju et al. 2017), Grad-CAM++ (Chattopadhay et al. 2018) on the features()
// output, and occlusion sensitivity (Zeiler & Fergus 2014) for any model.
#include "ai/Classifier.h"

#include <string>
#include <vector>

namespace spinelens::ai {

enum class ExplainMethod { GradCam, GradCamPlusPlus, Occlusion };

/// "gradcam", "gradcam++", "occlusion"; throws spinelens::Error for anything else.
ExplainMethod explainMethodFromName(const std::string& name);
std::string explainMethodName(ExplainMethod method);

struct Heatmap {
    std::string method;
    int classIndex = 0;
    int width = 0, height = 0; ///< the source image's size
    std::vector<float> values; ///< width * height, scaled to [0, 1] by the map's maximum
    int rawWidth = 0, rawHeight = 0;
    std::vector<float> raw; ///< before upsampling and scaling (feature map or input grid)
    float maximum = 0.0f;   ///< of raw; 0 means no evidence anywhere
};

/// The class score Grad-CAM differentiates: the logit of the class (softmax, multi-label
/// sigmoid) or, for a binary sigmoid model, +logit for classes[1] and -logit for classes[0].
struct ClassScore {
    int output = 0;
    float sign = 1.0f;
};
ClassScore classScore(const ModelCard& card, int classIndex);

/// Grad-CAM / Grad-CAM++ from activations A [K, h, w] and gradients dS/dA (exposed so the
/// formulas are tested on their own). Returns the h x w map after ReLU.
std::vector<float> gradCamMap(const std::vector<float>& activations,
                              const std::vector<float>& gradients, int channels, int height,
                              int width, bool plusPlus);

/// Deterministic; no autograd state survives. Throws spinelens::Error when the method needs
/// the features/classify contract and the model lacks it, or for a bad class index.
Heatmap explain(const ModelPackage& package, ExplainMethod method, const GreyImage& image,
                int classIndex);

/// The prediction and Grad-CAM for the predicted class, plus Grad-CAM for `otherClass` when it
/// differs (-1 for none), from one features() pass: the evaluator's per-case work. The maps
/// equal explain(..., GradCam, ...) for the same classes.
struct ExplainedPrediction {
    Prediction prediction;
    Heatmap predicted;
    bool hasOther = false;
    Heatmap other;
};
ExplainedPrediction explainPrediction(const ModelPackage& package, const GreyImage& image,
                                      int otherClass);

} // namespace spinelens::ai
