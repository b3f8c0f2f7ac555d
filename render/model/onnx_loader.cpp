// Turns an ONNX style network (torch.onnx.export of fast_neural_style's TransformerNet at
// any opset, or the ONNX model zoo form) into a Model: constants are folded, padding and
// nearest 2x upsampling are folded into the convolution that reads them.
#include <climits>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include <onnx/onnx_pb.h>

#include "model/file_bytes.h"
#include "model/loaders.h"
#include "model/model_limits.h"
#include "model/onnx_constant_folding.h"
#include "model/onnx_values.h"

namespace stylize::model {

namespace {

using namespace onnx_import;
namespace fs = std::filesystem;

constexpr int kMaxOnnxNodes = 100000;
constexpr const char* kSupportedOps =
    "Conv, ConvTranspose, InstanceNormalization, Relu, Add, Sub, Mul, Div, Tanh, Sigmoid, "
    "Clip, Pad, Upsample, Resize, Identity, Dropout and constant shape arithmetic";

// A tensor computed at run time, with the padding and upsampling still waiting to be
// folded into the convolution that reads it.
struct DataValue {
    TensorId id = kInputTensor;
    int channels = 0;
    bool upsample = false;
    std::string upsampleNode;
    bool padded = false;
    PadMode padMode = PadMode::Zero;
    int pads[4] = {0, 0, 0, 0};  // top, left, bottom, right
    std::string padNode;
};

class OnnxConverter {
public:
    OnnxConverter(const onnx::ModelProto& proto, const fs::path& file) : proto_(proto), file_(displayPath(file))
    {
        model_.name = file.stem().string();
        model_.origin = file_;
        StyleInfo style;
        style.name = model_.name;
        style.title = model_.name;
        style.source = "ONNX file " + file.filename().string();
        model_.styles.push_back(std::move(style));
    }

    Model convert()
    {
        if (!proto_.has_graph())
            throw ModelError(file_ + ": has no graph; is it an ONNX model?");
        const onnx::GraphProto& graph = proto_.graph();
        if (graph.node_size() > kMaxOnnxNodes)
            throw ModelError(file_ + ": has " + std::to_string(graph.node_size()) + " nodes, more than the " +
                             std::to_string(kMaxOnnxNodes) + " a style network may have");
        for (const onnx::TensorProto& t : graph.initializer())
            constants_[t.name()] =
                std::make_shared<const ConstTensor>(tensorFromProto(t, file_ + ": initializer '" + t.name() + "'"));
        bindInput(graph);
        for (int i = 0; i < graph.node_size(); ++i)
            convertNode(graph.node(i), i);
        if (graph.output_size() != 1)
            throw ModelError(file_ + ": has " + std::to_string(graph.output_size()) + " outputs, expected one image");
        const std::string& out = graph.output(0).name();
        const auto it = data_.find(out);
        if (it == data_.end())
            throw ModelError(file_ + ": output '" + out +
                             "' is not computed from the input image; expected a network output");
        model_.output = plain(it->second, "the graph output");
        if (model_.output == kInputTensor)
            throw ModelError(file_ + ": the output is the input itself; there is no network");
        return std::move(model_);
    }

private:
    void bindInput(const onnx::GraphProto& graph)
    {
        const onnx::ValueInfoProto* image = nullptr;
        for (const onnx::ValueInfoProto& v : graph.input()) {
            if (constants_.count(v.name()))
                continue;  // initializers listed as inputs (IR < 4)
            if (image)
                throw ModelError(file_ + ": has inputs '" + image->name() + "' and '" + v.name() +
                                 "'; expected one image input");
            image = &v;
        }
        if (!image)
            throw ModelError(file_ + ": has no input; expected one image input");
        if (image->type().has_tensor_type() && image->type().tensor_type().has_shape()) {
            const auto& shape = image->type().tensor_type().shape();
            if (shape.dim_size() != 4)
                throw ModelError(file_ + ": input '" + image->name() + "' has " + std::to_string(shape.dim_size()) +
                                 " dimensions, expected 4 (batch, channels, height, width)");
            if (shape.dim(1).has_dim_value() && shape.dim(1).dim_value() != 3)
                throw ModelError(file_ + ": input '" + image->name() + "' has " +
                                 std::to_string(shape.dim(1).dim_value()) + " channels, expected 3 (RGB)");
        }
        data_[image->name()] = DataValue{kInputTensor, 3};
    }

    std::string where(const onnx::NodeProto& node, int index) const
    {
        return file_ + ": node '" + nodeLabel(node, index) + "' (" + node.op_type() + ")";
    }

    bool isConstant(const std::string& name) const { return constants_.count(name) > 0; }

    const ConstTensor& constant(const onnx::NodeProto& node, int input, const std::string& at, const char* what) const
    {
        if (input >= node.input_size() || node.input(input).empty())
            throw ModelError(at + ": needs " + what);
        const auto it = constants_.find(node.input(input));
        if (it == constants_.end())
            throw ModelError(at + ": " + what + " '" + node.input(input) +
                             "' must be a constant, not computed from the image");
        return *it->second;
    }

    const DataValue& dataInput(const onnx::NodeProto& node, int input, const std::string& at) const
    {
        if (input >= node.input_size() || node.input(input).empty())
            throw ModelError(at + ": needs input " + std::to_string(input + 1));
        const auto it = data_.find(node.input(input));
        if (it == data_.end())
            throw ModelError(at + ": reads '" + node.input(input) +
                             "', which is not defined before it; the graph is damaged");
        return it->second;
    }

    TensorId emit(const std::string& name, Op op, std::vector<TensorId> inputs)
    {
        if (model_.nodes.size() >= std::size_t(limits::kMaxNodes))
            throw ModelError(file_ + ": needs more than " + std::to_string(limits::kMaxNodes) + " nodes");
        Node node;
        node.name = name;
        node.op = std::move(op);
        node.inputs = std::move(inputs);
        node.output = model_.tensorCount();
        model_.nodes.push_back(std::move(node));
        return model_.nodes.back().output;
    }

    void define(const onnx::NodeProto& node, DataValue value)
    {
        if (node.output_size() < 1 || node.output(0).empty())
            throw ModelError(file_ + ": node '" + node.name() + "' has no output");
        data_[node.output(0)] = std::move(value);
    }

    void defineNew(const onnx::NodeProto& node, TensorId id, int channels) { define(node, DataValue{id, channels}); }

    // A value as a real tensor, for ops that cannot absorb pending padding.
    TensorId plain(const DataValue& v, const std::string& reader)
    {
        if (v.padded)
            throw ModelError(file_ + ": node '" + v.padNode + "' (Pad) is read by " + reader +
                             ", not by a convolution; Stylize can only fold padding into the "
                             "convolution that follows it");
        if (!v.upsample)
            return v.id;
        return emit(v.upsampleNode, Upsample2x{}, {v.id});
    }

    static int toInt(std::int64_t v, const std::string& at, const char* what)
    {
        if (v < INT_MIN / 2 || v > INT_MAX / 2)
            throw ModelError(at + ": " + what + " " + std::to_string(v) + " is out of range");
        return int(v);
    }

    // A scalar operand of Add/Sub/Mul/Div/Clip.
    static float scalarOf(const ConstTensor& t, const std::string& at)
    {
        if (t.count() != 1)
            throw ModelError(at + ": uses a constant of shape " + t.shapeText() +
                             "; only single numbers are supported here");
        return float(t.number(0));
    }

    std::string label(const onnx::NodeProto& node) const { return nodeLabel(node, index_); }

    void convertNode(const onnx::NodeProto& node, int index)
    {
        index_ = index;
        const std::string at = where(node, index);
        const std::string& op = node.op_type();
        if (!node.domain().empty() && node.domain() != "ai.onnx")
            throw ModelError(at + ": uses the operator '" + op + "' from domain '" + node.domain() +
                             "', which Stylize does not support");
        bool allConstant = true;
        for (const std::string& in : node.input())
            if (!in.empty() && !isConstant(in))
                allConstant = false;
        if (allConstant && isFoldableOp(op)) {
            foldConstantNode(node, constants_, at);
            return;
        }
        if (op == "Identity" || op == "Dropout")
            define(node, dataInput(node, 0, at));
        else if (op == "Conv")
            convertConv(node, at);
        else if (op == "ConvTranspose")
            convertConvTranspose(node, at);
        else if (op == "Pad")
            convertPad(node, at);
        else if (op == "Upsample" || op == "Resize")
            convertUpsample(node, at);
        else if (op == "InstanceNormalization")
            convertInstanceNorm(node, at);
        else if (op == "Relu")
            unary(node, at, Relu{});
        else if (op == "Tanh")
            unary(node, at, Tanh{});
        else if (op == "Sigmoid")
            unary(node, at, Sigmoid{});
        else if (op == "Clip")
            convertClip(node, at);
        else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
            convertArithmetic(node, at);
        else if (op == "Shape" || op == "Size")
            throw ModelError(at +
                             ": computes with the image's size, which Stylize does not "
                             "support; export the model with fixed padding");
        else
            throw ModelError(at + ": uses the operator '" + op + "', which Stylize does not support (it reads " +
                             kSupportedOps + ")");
    }

    std::string quoted(const onnx::NodeProto& node) const { return "'" + label(node) + "' (" + node.op_type() + ")"; }

    void unary(const onnx::NodeProto& node, const std::string& at, Op op)
    {
        const DataValue in = dataInput(node, 0, at);
        defineNew(node, emit(label(node), std::move(op), {plain(in, quoted(node))}), in.channels);
    }

    // Checks weight shape, groups, kernel_shape and dilations shared by Conv and
    // ConvTranspose, and returns the stride (Model convs have one for both axes).
    int checkedStride(const onnx::NodeProto& node, const std::string& at, const ConstTensor& w) const
    {
        if (w.type != ConstTensor::Type::Float || w.dims.size() != 4)
            throw ModelError(at + ": weight has shape " + w.shapeText() +
                             ", expected 4 dimensions of floats (2D convolution)");
        if (intAttribute(node, "group", 1, at) != 1)
            throw ModelError(at + ": is a grouped convolution, which Stylize does not support");
        if (auto k = intsAttribute(node, "kernel_shape", at);
            k && (k->size() != 2 || (*k)[0] != w.dims[2] || (*k)[1] != w.dims[3]))
            throw ModelError(at + ": kernel_shape does not match the weight shape " + w.shapeText());
        if (auto d = intsAttribute(node, "dilations", at))
            for (std::int64_t v : *d)
                if (v != 1)
                    throw ModelError(at + ": is dilated, which Stylize does not support");
        int stride = 1;
        if (auto s = intsAttribute(node, "strides", at)) {
            if (s->size() != 2 || (*s)[0] != (*s)[1])
                throw ModelError(at +
                                 ": has strides that differ between height and width; "
                                 "Stylize needs equal strides");
            stride = toInt((*s)[0], at, "stride");
        }
        return stride;
    }

    static std::vector<float> biasOf(const ConstTensor* b) { return b ? b->floats : std::vector<float>{}; }

    const ConstTensor* optionalBias(const onnx::NodeProto& node, const std::string& at) const
    {
        if (node.input_size() < 3 || node.input(2).empty())
            return nullptr;
        const ConstTensor& b = constant(node, 2, at, "bias");
        if (b.type != ConstTensor::Type::Float)
            throw ModelError(at + ": bias must be floats");
        return &b;
    }

    void convertConv(const onnx::NodeProto& node, const std::string& at)
    {
        const DataValue in = dataInput(node, 0, at);
        const ConstTensor& w = constant(node, 1, at, "weight");
        const int stride = checkedStride(node, at, w);
        Conv c;
        c.outChannels = toInt(w.dims[0], at, "output channels");
        c.inChannels = toInt(w.dims[1], at, "input channels");
        c.kernelH = toInt(w.dims[2], at, "kernel height");
        c.kernelW = toInt(w.dims[3], at, "kernel width");
        c.stride = stride;
        c.upsample2x = in.upsample;
        c.weights = w.floats;
        c.bias = biasOf(optionalBias(node, at));
        const std::string autoPad = stringAttribute(node, "auto_pad", "NOTSET", at);
        std::vector<std::int64_t> pads = intsAttribute(node, "pads", at).value_or(std::vector<std::int64_t>(4, 0));
        if (pads.size() != 4)
            throw ModelError(at + ": pads must have 4 values");
        if (autoPad == "SAME_UPPER") {
            if (in.padded)
                throw ModelError(at + ": combines a Pad with automatic SAME padding");
            c.padding.rule = Padding::Rule::TfSame;
        } else if (autoPad != "NOTSET" && autoPad != "VALID") {
            throw ModelError(at + ": auto_pad " + autoPad + " is not supported");
        }
        // ONNX pads: top, left, bottom, right, the same order DataValue keeps.
        int p[4];
        for (int i = 0; i < 4; ++i)
            p[i] = autoPad == "NOTSET" ? toInt(pads[std::size_t(i)], at, "padding") : 0;
        if (in.padded) {
            const bool convPads = p[0] || p[1] || p[2] || p[3];
            if (convPads && in.padMode != PadMode::Zero)
                throw ModelError(at + ": adds zero padding to the reflection padding of '" + in.padNode +
                                 "'; Stylize supports one kind per convolution");
            c.padding.mode = in.padMode;
            for (int i = 0; i < 4; ++i)
                p[i] += in.pads[i];
        }
        c.padding.top = p[0];
        c.padding.left = p[1];
        c.padding.bottom = p[2];
        c.padding.right = p[3];
        defineNew(node, emit(label(node), std::move(c), {in.id}), toInt(w.dims[0], at, "channels"));
    }

    void convertConvTranspose(const onnx::NodeProto& node, const std::string& at)
    {
        const DataValue in = dataInput(node, 0, at);
        const ConstTensor& w = constant(node, 1, at, "weight");
        const int stride = checkedStride(node, at, w);
        if (intsAttribute(node, "output_shape", at))
            throw ModelError(at +
                             ": sets output_shape, which Stylize does not support; "
                             "export with pads and output_padding");
        if (stringAttribute(node, "auto_pad", "NOTSET", at) != "NOTSET")
            throw ModelError(at + ": uses auto_pad, which Stylize does not support for ConvTranspose");
        const auto pads = intsAttribute(node, "pads", at).value_or(std::vector<std::int64_t>(4, 0));
        const auto extra = intsAttribute(node, "output_padding", at).value_or(std::vector<std::int64_t>(2, 0));
        if (pads.size() != 4 || extra.size() != 2)
            throw ModelError(at + ": pads must have 4 values and output_padding 2");
        ConvTranspose c;
        c.inChannels = toInt(w.dims[0], at, "input channels");
        c.outChannels = toInt(w.dims[1], at, "output channels");
        c.kernelH = toInt(w.dims[2], at, "kernel height");
        c.kernelW = toInt(w.dims[3], at, "kernel width");
        c.stride = stride;
        c.padTop = toInt(pads[0], at, "padding");
        c.padLeft = toInt(pads[1], at, "padding");
        c.padBottom = toInt(pads[2], at, "padding") - toInt(extra[0], at, "output padding");
        c.padRight = toInt(pads[3], at, "padding") - toInt(extra[1], at, "output padding");
        c.weights = w.floats;
        c.bias = biasOf(optionalBias(node, at));
        const TensorId x = plain(in, quoted(node));
        defineNew(node, emit(label(node), std::move(c), {x}), toInt(w.dims[1], at, "channels"));
    }

    void convertPad(const onnx::NodeProto& node, const std::string& at)
    {
        DataValue v = dataInput(node, 0, at);
        if (v.padded)
            throw ModelError(at + ": pads an already padded tensor");
        const std::string mode = stringAttribute(node, "mode", "constant", at);
        std::vector<std::int64_t> pads;
        if (auto a = intsAttribute(node, "pads", at))
            pads = *a;
        else if (auto b = intsAttribute(node, "paddings", at))
            pads = *b;  // opset 1
        else {
            const ConstTensor& t = constant(node, 1, at, "pads");
            if (t.type != ConstTensor::Type::Int64)
                throw ModelError(at + ": pads must be integers");
            pads = t.ints;
        }
        if (node.input_size() > 3 && !node.input(3).empty())
            throw ModelError(at + ": pads selected axes, which Stylize does not support");
        if (pads.size() != 8 || pads[0] || pads[1] || pads[4] || pads[5])
            throw ModelError(at +
                             ": must pad only height and width of a 4D tensor (8 pads, "
                             "batch and channel zero)");
        if (mode == "reflect") {
            v.padMode = PadMode::Reflect;
        } else if (mode == "constant") {
            float value = floatAttribute(node, "value", 0.f, at);
            if (node.input_size() > 2 && !node.input(2).empty())
                value = scalarOf(constant(node, 2, at, "the pad value"), at);
            if (value != 0.f)
                throw ModelError(at + ": pads with " + std::to_string(value) +
                                 "; Stylize supports zero or reflection padding");
            v.padMode = PadMode::Zero;
        } else {
            throw ModelError(at + ": uses pad mode '" + mode + "'; Stylize supports reflect and constant zero padding");
        }
        const int order[4] = {2, 3, 6, 7};  // top, left, bottom, right
        for (int i = 0; i < 4; ++i) {
            v.pads[i] = toInt(pads[std::size_t(order[i])], at, "padding");
            if (v.pads[i] < 0 || v.pads[i] > limits::kMaxKernel)
                throw ModelError(at + ": pads by " + std::to_string(v.pads[i]) + "; expected 0 to " +
                                 std::to_string(limits::kMaxKernel));
        }
        v.padded = true;
        v.padNode = label(node);
        define(node, v);
    }

    void convertUpsample(const onnx::NodeProto& node, const std::string& at)
    {
        const DataValue in = dataInput(node, 0, at);
        if (stringAttribute(node, "mode", "nearest", at) != "nearest")
            throw ModelError(at + ": uses a mode other than nearest, which Stylize does not support");
        std::vector<float> scales;
        if (const onnx::AttributeProto* a = findAttribute(node, "scales"))
            scales.assign(a->floats().begin(), a->floats().end());  // opset 7-8
        else {
            // Upsample-9 and Resize-10: X, scales. Resize-11+: X, roi, scales, sizes.
            const int index = node.op_type() == "Resize" && node.input_size() > 2 ? 2 : 1;
            if (node.op_type() == "Resize" && node.input_size() > 3 && !node.input(3).empty())
                throw ModelError(at +
                                 ": resizes to fixed output sizes; Stylize supports a "
                                 "scale factor of 2 only (export with scale_factor=2)");
            const ConstTensor& s = constant(node, index, at, "scales");
            for (std::int64_t i = 0; i < s.count(); ++i)
                scales.push_back(float(s.number(std::size_t(i))));
        }
        if (scales != std::vector<float>{1.f, 1.f, 2.f, 2.f})
            throw ModelError(at +
                             ": scales by other factors than 2 in height and width; "
                             "Stylize supports nearest 2x upsampling only");
        if (node.op_type() == "Resize") {
            // Both forms pick source pixel floor(x / 2) at an exact scale of 2.
            const std::string coords = stringAttribute(node, "coordinate_transformation_mode", "half_pixel", at);
            const std::string rounding = stringAttribute(node, "nearest_mode", "round_prefer_floor", at);
            const bool same = (coords == "asymmetric" && (rounding == "floor" || rounding == "round_prefer_floor")) ||
                              ((coords == "half_pixel" || coords == "pytorch_half_pixel") &&
                               (rounding == "round_prefer_floor" || rounding == "round_prefer_ceil"));
            if (!same)
                throw ModelError(at + ": uses coordinate mode '" + coords + "' with rounding '" + rounding +
                                 "', which does not repeat each pixel twice");
        }
        DataValue out{plain(in, quoted(node)), in.channels};
        out.upsample = true;
        out.upsampleNode = label(node);
        define(node, out);
    }

    void convertInstanceNorm(const onnx::NodeProto& node, const std::string& at)
    {
        const DataValue in = dataInput(node, 0, at);
        const ConstTensor& scale = constant(node, 1, at, "scale");
        const ConstTensor& shift = constant(node, 2, at, "bias");
        if (scale.type != ConstTensor::Type::Float || shift.type != ConstTensor::Type::Float ||
            scale.count() != in.channels || shift.count() != in.channels)
            throw ModelError(at + ": scale " + scale.shapeText() + " and bias " + shift.shapeText() +
                             " must both hold " + std::to_string(in.channels) + " floats, one per channel");
        InstanceNorm n;
        n.channels = in.channels;
        n.epsilon = floatAttribute(node, "epsilon", 1e-5f, at);
        n.scale.push_back(scale.floats);
        n.shift.push_back(shift.floats);
        defineNew(node, emit(label(node), std::move(n), {plain(in, quoted(node))}), in.channels);
    }

    void convertClip(const onnx::NodeProto& node, const std::string& at)
    {
        const DataValue in = dataInput(node, 0, at);
        constexpr float big = std::numeric_limits<float>::max();
        float lo = floatAttribute(node, "min", -big, at), hi = floatAttribute(node, "max", big, at);
        if (node.input_size() > 1 && !node.input(1).empty())
            lo = scalarOf(constant(node, 1, at, "min"), at);
        if (node.input_size() > 2 && !node.input(2).empty())
            hi = scalarOf(constant(node, 2, at, "max"), at);
        defineNew(
            node,
            emit(label(node), Clamp{std::clamp(lo, -big, big), std::clamp(hi, -big, big)}, {plain(in, quoted(node))}),
            in.channels);
    }

    void convertArithmetic(const onnx::NodeProto& node, const std::string& at)
    {
        const std::string& op = node.op_type();
        if (node.input_size() != 2)
            throw ModelError(at + ": needs two inputs");
        const bool constA = isConstant(node.input(0)), constB = isConstant(node.input(1));
        const std::string reader = quoted(node);
        if (!constA && !constB) {
            if (op != "Add")
                throw ModelError(at + ": combines two image tensors with " + op +
                                 "; Stylize supports only Add of two tensors");
            const DataValue a = dataInput(node, 0, at), b = dataInput(node, 1, at);
            const TensorId x = plain(a, reader), y = plain(b, reader);
            defineNew(node, emit(label(node), Add{}, {x, y}), a.channels);
            return;
        }
        const DataValue in = dataInput(node, constA ? 1 : 0, at);
        const float c = scalarOf(constant(node, constA ? 0 : 1, at, "operand"), at);
        Affine a;
        if (op == "Add")
            a.bias = c;
        else if (op == "Mul")
            a.scale = c;
        else if (op == "Sub")
            a = constA ? Affine{-1.f, c} : Affine{1.f, -c};
        else if (constA)
            throw ModelError(at + ": divides a constant by the image, which Stylize does not support");
        else if (c == 0.f)
            throw ModelError(at + ": divides by zero");
        else
            a.scale = 1.f / c;
        if (!std::isfinite(a.scale) || !std::isfinite(a.bias))
            throw ModelError(at + ": uses a constant that is not a finite number");
        defineNew(node, emit(label(node), a, {plain(in, reader)}), in.channels);
    }

    const onnx::ModelProto& proto_;
    std::string file_;
    Model model_;
    ConstantTable constants_;
    std::unordered_map<std::string, DataValue> data_;
    int index_ = 0;  // of the node being converted, to name unnamed nodes
};

}  // namespace

Model loadOnnx(const fs::path& file)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(file, std::min<std::int64_t>(limits::kMaxFileBytes, INT_MAX));
    onnx::ModelProto proto;
    if (!proto.ParseFromArray(bytes.data(), int(bytes.size())))
        throw ModelError(displayPath(file) + ": is not a valid ONNX file (the protobuf data is damaged or truncated)");
    Model model = OnnxConverter(proto, file).convert();
    try {
        validate(model);
    } catch (const ModelError& e) {
        throw ModelError(displayPath(file) + ": " + e.what());
    }
    return model;
}

}  // namespace stylize::model
