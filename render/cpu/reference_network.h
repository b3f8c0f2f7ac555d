// The CPU reference of a whole network and of the image <-> tensor mapping around it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "cpu/tensor.h"
#include "model/model.h"

namespace stylize::cpu {

// Runs one node on its input tensors (in node.inputs order). Exposed so a debug path
// can check a GPU op against the reference on the very same inputs.
Tensor runNode(const model::Node& node, std::span<const Tensor* const> inputs,
               std::span<const float> styleWeights);

// Every tensor of the network for this input, indexed by TensorId (0 is the input).
// Checks each shape against model::inferShapes, so the reference and the shape planner
// the GPU runtime sizes its buffers with cannot silently disagree.
std::vector<Tensor> runNetworkTensors(const model::Model& model, const Tensor& input,
                                      std::span<const float> styleWeights);

// The network's output tensor (its full size: it can exceed the input by the rounding
// of stride-2 stages; tensorToImage crops). styleWeights has one weight per style slot;
// an empty span means slot 0 alone. Throws model::ModelError for an invalid model and
// std::invalid_argument for an input or weights that do not fit it.
Tensor runNetwork(const model::Model& model, const Tensor& input,
                  std::span<const float> styleWeights);

enum class PixelFormat { Rgb8, Rgba8 };

// Tightly packed 8-bit pixels (alpha ignored) -> 3 x height x width tensor,
// tensor = pixel * inScale + inBias per channel.
Tensor imageToTensor(std::span<const std::uint8_t> pixels, int width, int height,
                     PixelFormat format, const model::ImageMapping& mapping);

// The top-left width x height of a 3-channel tensor -> packed 8-bit pixels,
// pixel = round(clamp(tensor * outScale + outBias, 0, 255)) (ties to even, as numpy's
// round in the Python references); alpha, when asked for, is 255.
std::vector<std::uint8_t> tensorToImage(const Tensor& tensor, int width, int height,
                                        PixelFormat format, const model::ImageMapping& mapping);

}  // namespace stylize::cpu
