// Magenta's style predictor (a MobileNetV2 distilled from Inception-v3, int8 weights)
// run on the CPU from its TensorFlow Lite file: a picture becomes the 100-number style
// vector that model::StyleProjection turns into a style slot. It runs once per picture.
//
// Floats throughout: weights are dequantized at load; every activation tensor that the
// file quantizes is rounded to its int8 grid after its op (quantize, then dequantize), as
// the int8 kernels round. Ops: QUANTIZE, DEQUANTIZE, CONV_2D, DEPTHWISE_CONV_2D, ADD,
// MEAN; anything else is an error naming the op.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "image.h"

namespace stylize::cpu {

class StylePredictor {
public:
    // Throws model::ModelError naming the file and the op or tensor that does not fit.
    explicit StylePredictor(const std::filesystem::path& file);
    ~StylePredictor();
    StylePredictor(StylePredictor&&) noexcept;

    // The picture's style vector. The picture is resized to the network's input (256x256,
    // bilinear) and mapped to [0, 1].
    std::vector<float> predict(const render::ImageView& picture) const;
    // The same on an input already at the network's size: H x W x RGB floats in [0, 1].
    std::vector<float> predictResized(const std::vector<float>& hwc) const;
    int inputSize() const;  // 256

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::cpu
