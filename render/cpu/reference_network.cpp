// CPU reference of a whole network: node dispatch, tensor lifetimes, image mapping.
#include "cpu/reference_network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cpu/reference_ops.h"

namespace stylize::cpu {
namespace {

std::size_t index(int i) { return static_cast<std::size_t>(i); }

int bytesPerPixel(PixelFormat f) { return f == PixelFormat::Rgba8 ? 4 : 3; }

void checkImage(std::size_t bytes, int width, int height, PixelFormat format, const char* op)
{
    if (width < 1 || height < 1)
        throw std::invalid_argument(std::string(op) + ": image size " + std::to_string(width) +
                                    "x" + std::to_string(height) + " is empty");
    const std::size_t need = index(width) * index(height) * index(bytesPerPixel(format));
    if (bytes != need)
        throw std::invalid_argument(std::string(op) + ": " + std::to_string(bytes) +
                                    " bytes for a " + std::to_string(width) + "x" +
                                    std::to_string(height) + " image, expected " +
                                    std::to_string(need));
}

}  // namespace

Tensor runNode(const model::Node& node, std::span<const Tensor* const> inputs,
               std::span<const float> styleWeights)
{
    const std::size_t arity = std::holds_alternative<model::Add>(node.op) ? 2 : 1;
    if (inputs.size() != arity)
        throw std::invalid_argument("node '" + node.name + "': " + std::to_string(inputs.size()) +
                                    " inputs, expected " + std::to_string(arity));
    const Tensor& x = *inputs[0];
    return std::visit(
        [&](const auto& op) -> Tensor {
            using T = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<T, model::Conv>)
                return conv2d(x, op);
            else if constexpr (std::is_same_v<T, model::ConvTranspose>)
                return convTranspose2d(x, op);
            else if constexpr (std::is_same_v<T, model::Upsample2x>)
                return upsample2x(x);
            else if constexpr (std::is_same_v<T, model::InstanceNorm>)
                return instanceNorm(x, op, styleWeights);
            else if constexpr (std::is_same_v<T, model::Relu>)
                return relu(x);
            else if constexpr (std::is_same_v<T, model::Add>)
                return add(x, *inputs[1]);
            else if constexpr (std::is_same_v<T, model::Tanh>)
                return tanh(x);
            else if constexpr (std::is_same_v<T, model::Sigmoid>)
                return sigmoid(x);
            else if constexpr (std::is_same_v<T, model::Affine>)
                return affine(x, op);
            else if constexpr (std::is_same_v<T, model::Clamp>)
                return clamp(x, op);
            else
                static_assert(!sizeof(T), "runNode does not handle every model::Op");
        },
        node.op);
}

namespace {

// Shared walk of runNetwork / runNetworkTensors. With keepAll false, a tensor is freed
// after its last reader, so peak memory is the live set, not the whole graph.
std::vector<Tensor> run(const model::Model& model, const Tensor& input,
                        std::span<const float> styleWeights, bool keepAll)
{
    model::validate(model);
    if (input.shape.c != 3)
        throw std::invalid_argument("runNetwork: the input has " + std::to_string(input.shape.c) +
                                    " channels, a network takes 3");
    if (!styleWeights.empty() && styleWeights.size() != index(model.styleCount()))
        throw std::invalid_argument("runNetwork: " + std::to_string(styleWeights.size()) +
                                    " style weights for a model with " +
                                    std::to_string(model.styleCount()) + " styles");
    const std::vector<Shape> shapes = model::inferShapes(model, input.shape.h, input.shape.w);

    std::vector<int> lastUse(index(model.tensorCount()), -1);
    for (std::size_t n = 0; n < model.nodes.size(); ++n)
        for (model::TensorId id : model.nodes[n].inputs)
            lastUse[index(id)] = static_cast<int>(n);
    lastUse[index(model.output)] = static_cast<int>(model.nodes.size());

    std::vector<Tensor> tensors(index(model.tensorCount()));
    tensors[index(model::kInputTensor)] = input;
    std::vector<const Tensor*> args;
    for (std::size_t n = 0; n < model.nodes.size(); ++n) {
        const model::Node& node = model.nodes[n];
        args.clear();
        for (model::TensorId id : node.inputs)
            args.push_back(&tensors[index(id)]);
        Tensor y = runNode(node, args, styleWeights);
        const Shape& planned = shapes[index(node.output)];
        if (!(y.shape == planned))
            throw std::logic_error("node '" + node.name + "': the reference computed " +
                                   toString(y.shape) + " but inferShapes planned " +
                                   toString(planned));
        tensors[index(node.output)] = std::move(y);
        if (!keepAll)
            for (model::TensorId id : node.inputs)
                if (lastUse[index(id)] == static_cast<int>(n))
                    tensors[index(id)] = Tensor();
    }
    return tensors;
}

}  // namespace

std::vector<Tensor> runNetworkTensors(const model::Model& model, const Tensor& input,
                                      std::span<const float> styleWeights)
{
    return run(model, input, styleWeights, true);
}

Tensor runNetwork(const model::Model& model, const Tensor& input,
                  std::span<const float> styleWeights)
{
    std::vector<Tensor> tensors = run(model, input, styleWeights, false);
    return std::move(tensors[index(model.output)]);
}

Tensor imageToTensor(std::span<const std::uint8_t> pixels, int width, int height,
                     PixelFormat format, const model::ImageMapping& mapping)
{
    checkImage(pixels.size(), width, height, format, "imageToTensor");
    const int bpp = bytesPerPixel(format);
    Tensor out({3, height, width});
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const std::uint8_t* px = &pixels[(index(y) * index(width) + index(x)) * index(bpp)];
            for (int c = 0; c < 3; ++c)
                out.at(c, y, x) = float(px[c]) * mapping.inScale[c] + mapping.inBias[c];
        }
    return out;
}

std::vector<std::uint8_t> tensorToImage(const Tensor& tensor, int width, int height,
                                        PixelFormat format, const model::ImageMapping& mapping)
{
    if (tensor.shape.c != 3 || tensor.shape.h < height || tensor.shape.w < width)
        throw std::invalid_argument("tensorToImage: a " + toString(tensor.shape) +
                                    " tensor cannot give a " + std::to_string(width) + "x" +
                                    std::to_string(height) + " RGB image");
    const int bpp = bytesPerPixel(format);
    std::vector<std::uint8_t> out(index(width) * index(height) * index(bpp), 255);
    checkImage(out.size(), width, height, format, "tensorToImage");
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            std::uint8_t* px = &out[(index(y) * index(width) + index(x)) * index(bpp)];
            for (int c = 0; c < 3; ++c) {
                const float v = tensor.at(c, y, x) * mapping.outScale[c] + mapping.outBias[c];
                // nearbyint rounds half to even in the default mode, like numpy's round.
                px[c] = static_cast<std::uint8_t>(std::nearbyint(std::clamp(v, 0.f, 255.f)));
            }
        }
    return out;
}

}  // namespace stylize::cpu
