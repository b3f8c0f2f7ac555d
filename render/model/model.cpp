// Graph checks, shape inference, padding resolution and cost estimates for a Model.
#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "model/model_limits.h"

namespace stylize::model {

namespace {

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};

std::string describe(const Node& node, std::size_t index)
{
    std::string name = node.name.empty() ? "#" + std::to_string(index) : node.name;
    return "node '" + name + "' (" + opName(node.op) + ")";
}

[[noreturn]] void fail(const Node& node, std::size_t index, const std::string& what)
{
    throw ModelError(describe(node, index) + ": " + what);
}

bool isFinite(float v)
{
    return std::isfinite(v);
}

// Damaged weights (a flipped exponent bit, a NaN from a broken training run) would
// render black or garbage without a word: every loader rejects them, naming the tensor.
void checkFinite(const Node& node, std::size_t index, const std::string& tensor, const std::vector<float>& values)
{
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!isFinite(values[i]))
            fail(node, index,
                 tensor + " value " + std::to_string(i) + " of " + std::to_string(values.size()) + " is " +
                     (std::isnan(values[i]) ? "NaN" : "infinite") + ": the weights are damaged");
}

void checkRange(const Node& node, std::size_t index, const char* field, int value, int lo, int hi)
{
    if (value < lo || value > hi)
        fail(node, index,
             std::string(field) + " is " + std::to_string(value) + ", expected " + std::to_string(lo) + " to " +
                 std::to_string(hi));
}

// A convolution's weight and bias tensors: the sizes its shape asks for (`layout` names the
// weight order in the message) and finite values.
template <class C>
void checkConvTensors(const Node& node, std::size_t index, const C& c, const char* layout)
{
    const std::size_t want = std::size_t(c.outChannels) * c.inChannels * c.kernelH * c.kernelW;
    if (c.weights.size() != want)
        fail(node, index,
             "has " + std::to_string(c.weights.size()) + " weights, expected " + std::to_string(want) + " (" + layout +
                 ")");
    if (!c.bias.empty() && c.bias.size() != std::size_t(c.outChannels))
        fail(
            node, index,
            "has " + std::to_string(c.bias.size()) + " biases, expected " + std::to_string(c.outChannels) + " or none");
    checkFinite(node, index, "weight", c.weights);
    checkFinite(node, index, "bias", c.bias);
}

// Checks one node's parameters and returns its output channel count.
int validateNode(const Model& model, const Node& node, std::size_t index, const std::vector<int>& channels)
{
    const int in = channels[node.inputs[0]];
    return std::visit(
        Overloaded{
            [&](const Conv& c) {
                checkRange(node, index, "inChannels", c.inChannels, in, in);
                checkRange(node, index, "outChannels", c.outChannels, 1, limits::kMaxChannels);
                checkRange(node, index, "kernel height", c.kernelH, 1, limits::kMaxKernel);
                checkRange(node, index, "kernel width", c.kernelW, 1, limits::kMaxKernel);
                checkRange(node, index, "stride", c.stride, 1, limits::kMaxStride);
                const Padding& p = c.padding;
                if (p.rule == Padding::Rule::TfSame && p.mode != PadMode::Zero)
                    fail(node, index, "TensorFlow SAME padding must pad with zeros");
                checkRange(node, index, "padding top", p.top, 0, limits::kMaxKernel);
                checkRange(node, index, "padding bottom", p.bottom, 0, limits::kMaxKernel);
                checkRange(node, index, "padding left", p.left, 0, limits::kMaxKernel);
                checkRange(node, index, "padding right", p.right, 0, limits::kMaxKernel);
                checkConvTensors(node, index, c, "out x in x kh x kw");
                return c.outChannels;
            },
            [&](const ConvTranspose& c) {
                checkRange(node, index, "inChannels", c.inChannels, in, in);
                checkRange(node, index, "outChannels", c.outChannels, 1, limits::kMaxChannels);
                checkRange(node, index, "kernel height", c.kernelH, 1, limits::kMaxKernel);
                checkRange(node, index, "kernel width", c.kernelW, 1, limits::kMaxKernel);
                checkRange(node, index, "stride", c.stride, 1, limits::kMaxStride);
                // A negative end padding is output_padding, which must stay below the stride.
                checkRange(node, index, "padding top", c.padTop, 0, c.kernelH - 1);
                checkRange(node, index, "padding left", c.padLeft, 0, c.kernelW - 1);
                checkRange(node, index, "padding bottom", c.padBottom, 1 - c.stride, c.kernelH - 1);
                checkRange(node, index, "padding right", c.padRight, 1 - c.stride, c.kernelW - 1);
                checkConvTensors(node, index, c, "in x out x kh x kw");
                return c.outChannels;
            },
            [&](const InstanceNorm& n) {
                checkRange(node, index, "channels", n.channels, in, in);
                if (!(n.epsilon > 0.f) || !isFinite(n.epsilon))
                    fail(node, index, "epsilon must be a positive number");
                const std::size_t slots = model.styles.size();
                if (n.scale.size() != slots || n.shift.size() != slots)
                    fail(node, index,
                         "has " + std::to_string(n.scale.size()) + " scale and " + std::to_string(n.shift.size()) +
                             " shift style slots, expected " + std::to_string(slots) + " (one per style)");
                for (std::size_t s = 0; s < slots; ++s)
                    if (n.scale[s].size() != std::size_t(n.channels) || n.shift[s].size() != std::size_t(n.channels))
                        fail(node, index,
                             "style slot " + std::to_string(s) + " has " + std::to_string(n.scale[s].size()) +
                                 " scales and " + std::to_string(n.shift[s].size()) + " shifts, expected " +
                                 std::to_string(n.channels) + " of each");
                for (std::size_t s = 0; s < slots; ++s) {
                    const std::string style = model.styles[s].name.empty() ? std::to_string(s) : model.styles[s].name;
                    checkFinite(node, index, "scale of style " + style, n.scale[s]);
                    checkFinite(node, index, "shift of style " + style, n.shift[s]);
                }
                return in;
            },
            [&](const Add&) {
                if (channels[node.inputs[1]] != in)
                    fail(node, index,
                         "adds tensors of " + std::to_string(in) + " and " + std::to_string(channels[node.inputs[1]]) +
                             " channels, expected equal counts");
                return in;
            },
            [&](const Affine& a) {
                if (!isFinite(a.scale) || !isFinite(a.bias))
                    fail(node, index, "scale and bias must be finite numbers");
                return in;
            },
            [&](const Clamp& c) {
                if (!isFinite(c.lo) || !isFinite(c.hi) || c.lo > c.hi)
                    fail(node, index, "bounds must be finite numbers with lo <= hi");
                return in;
            },
            [&](const auto&) { return in; },
        },
        node.op);
}

}  // namespace

const char* opName(const Op& op)
{
    return std::visit(Overloaded{
                          [](const Conv&) { return "Conv"; },
                          [](const ConvTranspose&) { return "ConvTranspose"; },
                          [](const Upsample2x&) { return "Upsample2x"; },
                          [](const InstanceNorm&) { return "InstanceNorm"; },
                          [](const Relu&) { return "Relu"; },
                          [](const Add&) { return "Add"; },
                          [](const Tanh&) { return "Tanh"; },
                          [](const Sigmoid&) { return "Sigmoid"; },
                          [](const Affine&) { return "Affine"; },
                          [](const Clamp&) { return "Clamp"; },
                      },
                      op);
}

int Model::tensorCount() const
{
    return 1 + static_cast<int>(nodes.size());
}

void validate(const Model& model)
{
    if (model.styles.empty())
        throw ModelError("the model has no style slot; expected at least one");
    if (model.styles.size() > std::size_t(limits::kMaxStyles))
        throw ModelError("the model has " + std::to_string(model.styles.size()) +
                         " style slots, more than the limit of " + std::to_string(limits::kMaxStyles));
    if (model.nodes.empty())
        throw ModelError("the model has no nodes");
    if (model.nodes.size() > std::size_t(limits::kMaxNodes))
        throw ModelError("the model has " + std::to_string(model.nodes.size()) + " nodes, more than the limit of " +
                         std::to_string(limits::kMaxNodes));
    for (int c = 0; c < 3; ++c) {
        const ImageMapping& m = model.mapping;
        if (!isFinite(m.inScale[c]) || !isFinite(m.inBias[c]) || !isFinite(m.outScale[c]) || !isFinite(m.outBias[c]))
            throw ModelError("the image mapping must hold finite numbers");
    }

    std::vector<int> channels(model.nodes.size() + 1, 0);
    channels[kInputTensor] = 3;
    for (std::size_t i = 0; i < model.nodes.size(); ++i) {
        const Node& node = model.nodes[i];
        const TensorId self = TensorId(i + 1);
        if (node.output != self)
            fail(node, i,
                 "writes tensor " + std::to_string(node.output) + ", expected " + std::to_string(self) +
                     " (node i writes tensor i + 1)");
        const std::size_t wantInputs = std::holds_alternative<Add>(node.op) ? 2 : 1;
        if (node.inputs.size() != wantInputs)
            fail(node, i,
                 "has " + std::to_string(node.inputs.size()) + " inputs, expected " + std::to_string(wantInputs));
        for (TensorId in : node.inputs)
            if (in < 0 || in >= self)
                fail(node, i,
                     "reads tensor " + std::to_string(in) + ", expected the input or an earlier node's output (0 to " +
                         std::to_string(self - 1) + ")");
        channels[self] = validateNode(model, node, i, channels);
    }
    if (model.output < 1 || model.output >= model.tensorCount())
        throw ModelError("the model output is tensor " + std::to_string(model.output) +
                         ", expected a node's output (1 to " + std::to_string(model.tensorCount() - 1) + ")");
    if (channels[model.output] != 3)
        throw ModelError("the model output has " + std::to_string(channels[model.output]) +
                         " channels, expected 3 (RGB)");
}

ResolvedPadding resolvePadding(const Conv& conv, int h, int w)
{
    const Padding& p = conv.padding;
    if (p.rule == Padding::Rule::Explicit)
        return {p.top, p.bottom, p.left, p.right};
    if (conv.upsample2x) {
        h *= 2;
        w *= 2;
    }
    auto same = [&](int n, int k) {
        const int out = (n + conv.stride - 1) / conv.stride;
        const int total = std::max((out - 1) * conv.stride + k - n, 0);
        return std::pair{total / 2, total - total / 2};
    };
    const auto [top, bottom] = same(h, conv.kernelH);
    const auto [left, right] = same(w, conv.kernelW);
    return {top, bottom, left, right};
}

namespace {

// Output shape of one node; throws when the input is too small for the op.
Shape nodeShape(const Node& node, std::size_t index, const std::vector<Shape>& shapes)
{
    const Shape in = shapes[node.inputs[0]];
    auto tooSmall = [&](const std::string& why) {
        fail(node, index,
             "an input of " + std::to_string(in.h) + "x" + std::to_string(in.w) + " is too small: " + why +
                 "; use a larger processing resolution");
    };
    return std::visit(
        Overloaded{
            [&](const Conv& c) {
                const int h = c.upsample2x ? in.h * 2 : in.h;
                const int w = c.upsample2x ? in.w * 2 : in.w;
                const ResolvedPadding p = resolvePadding(c, in.h, in.w);
                if (c.padding.mode == PadMode::Reflect &&
                    (std::max(p.top, p.bottom) >= h || std::max(p.left, p.right) >= w))
                    tooSmall("reflection padding needs more rows and columns than it pads");
                const int ph = h + p.top + p.bottom, pw = w + p.left + p.right;
                if (ph < c.kernelH || pw < c.kernelW)
                    tooSmall("it is smaller than the kernel");
                return Shape{c.outChannels, (ph - c.kernelH) / c.stride + 1, (pw - c.kernelW) / c.stride + 1};
            },
            [&](const ConvTranspose& c) {
                const int h = (in.h - 1) * c.stride + c.kernelH - c.padTop - c.padBottom;
                const int w = (in.w - 1) * c.stride + c.kernelW - c.padLeft - c.padRight;
                if (h < 1 || w < 1)
                    tooSmall("the output would be empty");
                return Shape{c.outChannels, h, w};
            },
            [&](const Upsample2x&) {
                return Shape{in.c, in.h * 2, in.w * 2};
            },
            [&](const Add&) {
                if (shapes[node.inputs[1]] != in)
                    fail(node, index,
                         "adds tensors of different sizes (" + std::to_string(in.h) + "x" + std::to_string(in.w) +
                             " and " + std::to_string(shapes[node.inputs[1]].h) + "x" +
                             std::to_string(shapes[node.inputs[1]].w) + ")");
                return in;
            },
            [&](const auto&) { return in; },
        },
        node.op);
}

}  // namespace

std::vector<Shape> inferShapes(const Model& model, int h, int w)
{
    if (h < 1 || w < 1 || h > limits::kMaxImageSide || w > limits::kMaxImageSide)
        throw ModelError("an input of " + std::to_string(h) + "x" + std::to_string(w) +
                         " is not supported; expected 1 to " + std::to_string(limits::kMaxImageSide) +
                         " pixels per side");
    std::vector<Shape> shapes;
    shapes.reserve(model.nodes.size() + 1);
    shapes.push_back({3, h, w});
    for (std::size_t i = 0; i < model.nodes.size(); ++i) {
        const Shape s = nodeShape(model.nodes[i], i, shapes);
        if (s.h > limits::kMaxImageSide * 4 || s.w > limits::kMaxImageSide * 4)
            fail(model.nodes[i], i, "its output would be larger than supported");
        shapes.push_back(s);
    }
    return shapes;
}

double flops(const Model& model, int h, int w)
{
    const std::vector<Shape> shapes = inferShapes(model, h, w);
    double total = 0;
    for (std::size_t i = 0; i < model.nodes.size(); ++i) {
        const Node& node = model.nodes[i];
        const Shape& in = shapes[node.inputs[0]];
        const double out = double(shapes[i + 1].elements());
        total += std::visit(Overloaded{
                                [&](const Conv& c) { return 2.0 * out * c.inChannels * c.kernelH * c.kernelW; },
                                [&](const ConvTranspose& c) {
                                    return 2.0 * double(in.elements()) * c.outChannels * c.kernelH * c.kernelW;
                                },
                                // Mean, variance, normalize and scale: a handful of operations per element.
                                [&](const InstanceNorm&) { return 6.0 * out; },
                                [&](const Upsample2x&) { return 0.0; },
                                [&](const auto&) { return out; },
                            },
                            node.op);
    }
    return total;
}

}  // namespace stylize::model
