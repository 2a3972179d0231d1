#pragma once
// Turns a grey image in modality values into the model's input tensor exactly as the card
// says. The one place this happens: inference, explanation, evaluation and training all call
// it, so what the model sees in the viewer is what it saw in training.
#include "ai/ModelCard.h"
#include "image/WindowLevel.h"

#include <vector>

namespace spinelens::ai {

/// Bilinear resize with PyTorch's F.interpolate(mode="bilinear", align_corners=False)
/// sampling (half-pixel centres, no antialiasing), one plane.
void resizeBilinear(const float* in, int inWidth, int inHeight, float* out, int outWidth,
                    int outHeight);

class Preprocessor {
public:
    explicit Preprocessor(const ModelCard& card);

    /// channels * height * width floats, channel-major. Steps, in order: check the image
    /// (at least 2 x 2, finite values); for divide255 models, the file's presentation to 8-bit
    /// grey (modelGrey8: VOI, MONOCHROME1, 16-bit PNG) when `display` is given, since they
    /// were trained on 8-bit images; intensity (minmax / divide255 / zscore / none) over the
    /// whole slice; bilinear resize; grey copied to every channel; (x - mean) / std.
    /// `display` null means the values already are that grey. Throws spinelens::Error for
    /// images the model cannot take.
    std::vector<float> operator()(const float* grey, int width, int height,
                                  const DisplayDefaults* display) const;

    int inputWidth() const { return card_.width; }
    int inputHeight() const { return card_.height; }
    int channels() const { return card_.channels; }
    std::size_t inputSize() const {
        return std::size_t(card_.channels) * card_.width * card_.height;
    }

private:
    ModelCard card_;
};

} // namespace spinelens::ai
