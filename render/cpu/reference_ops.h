// The CPU reference of every op of model.h: readable loops the Vulkan ops are tested against.
#pragma once

#include <span>

#include "cpu/tensor.h"
#include "model/model.h"

namespace stylize::cpu {

// Every function checks its arguments (channel counts, weight sizes, shapes) and throws
// std::invalid_argument naming the op and the shapes involved.

// y = conv(pad(upsample2x?(x)), w) + b, PyTorch cross-correlation, weights OIHW.
// Padding comes from model::resolvePadding (TfSame resolved for this input size, on the
// upsampled input when upsample2x is set); Reflect mirrors without repeating the edge.
Tensor conv2d(const Tensor& input, const model::Conv& conv);

// PyTorch conv_transpose2d with weights IOHW; the output is the full transposed result
// cropped by padTop/padLeft at the start and padBottom/padRight at the end (a negative
// end extends the output, PyTorch's output_padding: those cells hold only the bias).
Tensor convTranspose2d(const Tensor& input, const model::ConvTranspose& conv);

// Nearest-neighbour 2x: y(c, i, j) = x(c, i / 2, j / 2).
Tensor upsample2x(const Tensor& input);

// Instance norm with biased variance, conditional: the affine parameters are the blend
// sum_s styleWeights[s] * scale[s] (and shift likewise). styleWeights has one entry per
// slot; an empty span means slot 0 alone.
Tensor instanceNorm(const Tensor& input, const model::InstanceNorm& norm,
                    std::span<const float> styleWeights);

// Element-wise ops take their input by value so a caller that is done with it can move
// it in and have it rewritten in place.
Tensor relu(Tensor x);
Tensor add(const Tensor& a, const Tensor& b);
Tensor tanh(Tensor x);
Tensor sigmoid(Tensor x);
Tensor affine(Tensor x, const model::Affine& op);
Tensor clamp(Tensor x, const model::Clamp& op);

// Output shape of conv2d / convTranspose2d for an input shape (throws like the ops).
Shape conv2dShape(const Shape& input, const model::Conv& conv);
Shape convTranspose2dShape(const Shape& input, const model::ConvTranspose& conv);

}  // namespace stylize::cpu
