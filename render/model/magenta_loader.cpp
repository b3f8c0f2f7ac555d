// loadMagentaTransfer: Magenta's TFLite transfer network read back into layers.
#include "model/magenta_loader.h"

#include <cmath>

#include <map>
#include <optional>
#include <variant>

#include "model/file_bytes.h"
#include "model/tflite_file.h"

namespace stylize::model {
namespace {

namespace tfl = tflite;

// What a TFLite tensor is while the graph is read back: a network tensor (with padding
// or upsampling waiting for the convolution that consumes it), a constant, the style
// vector or a 1x1 projection of it, or one step of an instance norm's chain on `x`.
struct Activation {
    TensorId id = -1;
    int channels = 0;
    int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
    bool reflect = false, upsample = false;
};
struct Constant {
    std::vector<float> values;
    std::vector<int> shape;
};
struct StyleVector {};
struct Projection {
    std::vector<float> weights, bias;  // [channels][vector], [channels]
};
// The instance norm chain on activation x: mean, (x-mean)^2, variance, +eps, rsqrt,
// rsqrt*gamma ("a"), x*a, mean*a, beta - mean*a.
struct NormStep {
    enum Kind { Mean, SquaredDiff, Variance, VarianceEps, Rsqrt, A, XA, MeanA, B } kind;
    TensorId x = -1;
    int channels = 0;
    float epsilon = 0;
    std::optional<Projection> gamma, beta;
};
using Value = std::variant<std::monostate, Activation, Constant, StyleVector, Projection, NormStep>;

class Reader {
public:
    Reader(const tfl::Graph& g, std::string name) : g_(g), name_(std::move(name)) {}

    MagentaTransfer read()
    {
        if (g_.inputs.size() != 2 || g_.outputs.size() != 1)
            fail("expected two inputs (content image, style vector) and one output, as Magenta's transfer network has");
        values_.resize(g_.tensors.size());
        const tfl::Tensor& content = g_.tensors[g_.inputs[0]];
        const tfl::Tensor& style = g_.tensors[g_.inputs[1]];
        if (content.shape.size() != 4 || content.shape[3] != 3)
            fail("input '" + content.name + "' should be an NHWC image with 3 channels");
        if (style.shape.empty())
            fail("input '" + style.name + "' should be the style vector");
        vectorSize_ = style.shape.back();
        values_[g_.inputs[0]] = Activation{kInputTensor, 3};
        values_[g_.inputs[1]] = StyleVector{};
        for (std::size_t t = 0; t < g_.tensors.size(); ++t)
            if (!g_.tensors[t].data.empty())
                values_[t] = Constant{tfl::constantValues(g_.tensors[t], name_), g_.tensors[t].shape};
        for (std::size_t i = 0; i < g_.operators.size(); ++i)
            step(g_.operators[i], int(i));
        const auto* out = std::get_if<Activation>(&values_[g_.outputs[0]]);
        if (!out || out->channels != 3 || !sigmoidOut_)
            fail("the output should be a 3-channel sigmoid");
        result_.model.output = out->id;
        result_.model.name = "Magenta arbitrary style";
        result_.model.origin = name_;
        for (int c = 0; c < 3; ++c) {
            result_.model.mapping.inScale[c] = 1.f / 255.f;  // content_image in [0, 1]
            result_.model.mapping.outScale[c] = 255.f;
        }
        result_.projection.vectorSize = vectorSize_;
        return std::move(result_);
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw ModelError(name_ + ": " + what + ".");
    }
    std::string opLabel(const tfl::Operator& op, int index) const
    {
        const char* n = tfl::builtinName(op.builtin);
        std::string s = n ? n : (op.customCode.empty() ? "builtin op " + std::to_string(op.builtin) : op.customCode);
        s += " #" + std::to_string(index);
        if (!op.outputs.empty() && op.outputs[0] >= 0)
            s += " ('" + g_.tensors[op.outputs[0]].name + "')";
        return s;
    }
    const Value& in(const tfl::Operator& op, std::size_t k, const std::string& label) const
    {
        if (k >= op.inputs.size() || op.inputs[k] < 0)
            fail(label + " lacks input " + std::to_string(k));
        return values_[op.inputs[k]];
    }
    template <class T>
    const T& as(const tfl::Operator& op, std::size_t k, const std::string& label, const char* what) const
    {
        const T* v = std::get_if<T>(&in(op, k, label));
        if (!v)
            fail(label + ": input " + std::to_string(k) + " should be " + what);
        return *v;
    }
    void set(const tfl::Operator& op, Value v) { values_[op.outputs.at(0)] = std::move(v); }

    TensorId addNode(std::string name, Op op, std::vector<TensorId> inputs)
    {
        const TensorId id = TensorId(result_.model.nodes.size()) + 1;
        result_.model.nodes.push_back({std::move(name), std::move(op), std::move(inputs), id});
        return id;
    }
    Activation relu(Activation a, const std::string& name)
    {
        a.id = addNode(name + "/Relu", Relu{}, {a.id});
        return a;
    }
    static Projection project(const Constant& w, const Constant& b, int vectorSize, const std::string& where,
                              const Reader& r)
    {
        if (w.shape.size() != 4 || w.shape[1] != 1 || w.shape[2] != 1 || w.shape[3] != vectorSize ||
            int(b.values.size()) != w.shape[0])
            r.fail(where + ": a style projection should be a 1x1 convolution of the " + std::to_string(vectorSize) +
                   "-number style vector");
        return {w.values, b.values};
    }

    void step(const tfl::Operator& op, int index)
    {
        const std::string label = opLabel(op, index);
        const std::string outName = op.outputs.empty() ? "" : g_.tensors[op.outputs[0]].name;
        switch (op.builtin) {
        case tfl::kDequantize: {
            set(op, in(op, 0, label));
            return;
        }
        case tfl::kMirrorPad: {
            Activation a = as<Activation>(op, 0, label, "a network tensor");
            const Constant& pads = as<Constant>(op, 1, label, "constant paddings");
            if (pads.values.size() != 8 || pads.values[0] != 0 || pads.values[1] != 0 || pads.values[6] != 0 ||
                pads.values[7] != 0)
                fail(label + ": only height and width may be padded");
            if (op.options.mirrorMode != 0)
                fail(label + ": SYMMETRIC mirror padding is not supported (REFLECT is)");
            if (a.padTop || a.padLeft || a.reflect)
                fail(label + ": padding twice before one convolution is not supported");
            a.padTop = int(pads.values[2]), a.padBottom = int(pads.values[3]);
            a.padLeft = int(pads.values[4]), a.padRight = int(pads.values[5]);
            a.reflect = true;
            set(op, a);
            return;
        }
        case tfl::kResizeNearestNeighbor: {
            Activation a = as<Activation>(op, 0, label, "a network tensor");
            // The export froze 2x, 2x, then the content's own size (an identity).
            ++resizes_;
            if (resizes_ <= 2) {
                if (a.upsample || a.reflect)
                    fail(label + ": upsampling must come straight before padding and a convolution");
                a.upsample = true;
            } else if (resizes_ > 3) {
                fail(label + ": more than three resizes; Magenta's network has two upsamplings and a final resize");
            }
            set(op, a);
            return;
        }
        case tfl::kConv2d: {
            if (std::holds_alternative<StyleVector>(in(op, 0, label))) {
                set(op, project(as<Constant>(op, 1, label, "constant weights"),
                                as<Constant>(op, 2, label, "a constant bias"), vectorSize_, label, *this));
                return;
            }
            const Activation x = as<Activation>(op, 0, label, "a network tensor");
            const Constant& w = as<Constant>(op, 1, label, "constant weights");
            if (w.shape.size() != 4 || w.shape[3] != x.channels)
                fail(label + ": weights should be OHWI with " + std::to_string(x.channels) + " input channels");
            if (op.options.dilationW != 1 || op.options.dilationH != 1)
                fail(label + ": dilated convolutions are not supported");
            if (op.options.strideW != op.options.strideH)
                fail(label + ": different strides in height and width are not supported");
            Conv c;
            c.outChannels = w.shape[0], c.kernelH = w.shape[1], c.kernelW = w.shape[2], c.inChannels = w.shape[3];
            c.stride = op.options.strideW;
            c.upsample2x = x.upsample;
            if (op.options.padding == 0) {  // SAME (after any mirror padding)
                if (x.reflect)
                    fail(label + ": SAME padding after a mirror padding is not supported");
                c.padding.rule = Padding::Rule::TfSame;
            } else {
                c.padding.mode = x.reflect ? PadMode::Reflect : PadMode::Zero;
                c.padding.top = x.padTop, c.padding.bottom = x.padBottom;
                c.padding.left = x.padLeft, c.padding.right = x.padRight;
            }
            c.weights.resize(w.values.size());
            for (int o = 0; o < c.outChannels; ++o)  // OHWI -> OIHW
                for (int y = 0; y < c.kernelH; ++y)
                    for (int xx = 0; xx < c.kernelW; ++xx)
                        for (int i = 0; i < c.inChannels; ++i)
                            c.weights[((std::size_t(o) * c.inChannels + i) * c.kernelH + y) * c.kernelW + xx] =
                                w.values[((std::size_t(o) * c.kernelH + y) * c.kernelW + xx) * c.inChannels + i];
            if (op.inputs.size() > 2 && op.inputs[2] >= 0)
                c.bias = as<Constant>(op, 2, label, "a constant bias").values;
            const int out = c.outChannels;
            Activation y{addNode(outName, std::move(c), {x.id}), out};
            set(op, activation(op, y, outName, label));
            return;
        }
        case tfl::kMean: {
            const Activation* x = std::get_if<Activation>(&in(op, 0, label));
            const NormStep* sd = std::get_if<NormStep>(&in(op, 0, label));
            const Constant& axes = as<Constant>(op, 1, label, "constant axes");
            if (axes.values != std::vector<float>{1, 2})
                fail(label + ": only the mean over height and width (instance norm's) is supported");
            if (x) {
                set(op, NormStep{NormStep::Mean, x->id, x->channels});
            } else if (sd && sd->kind == NormStep::SquaredDiff) {
                NormStep v = *sd;
                v.kind = NormStep::Variance;
                set(op, v);
            } else {
                fail(label + ": a mean outside an instance norm's statistics");
            }
            return;
        }
        case tfl::kSquaredDifference: {
            const Activation& x = as<Activation>(op, 0, label, "a network tensor");
            const NormStep& m = as<NormStep>(op, 1, label, "that tensor's mean");
            if (m.kind != NormStep::Mean || m.x != x.id)
                fail(label + ": expected (x - mean(x))^2 of an instance norm");
            NormStep s = m;
            s.kind = NormStep::SquaredDiff;
            set(op, s);
            return;
        }
        case tfl::kRsqrt: {
            NormStep s = as<NormStep>(op, 0, label, "variance + epsilon");
            if (s.kind != NormStep::VarianceEps)
                fail(label + ": expected rsqrt(variance + epsilon) of an instance norm");
            s.kind = NormStep::Rsqrt;
            set(op, s);
            return;
        }
        case tfl::kMul: mul(op, label); return;
        case tfl::kSub: {
            const Projection& beta = as<Projection>(op, 0, label, "the style's shift");
            NormStep s = as<NormStep>(op, 1, label, "mean * scale");
            if (s.kind != NormStep::MeanA)
                fail(label + ": expected shift - mean * scale of an instance norm");
            s.kind = NormStep::B;
            s.beta = beta;
            set(op, s);
            return;
        }
        case tfl::kAdd: add(op, label, outName); return;
        case tfl::kLogistic: {
            const Activation& x = as<Activation>(op, 0, label, "a network tensor");
            sigmoidOut_ = true;
            set(op, Activation{addNode(outName, Sigmoid{}, {x.id}), x.channels});
            return;
        }
        default: fail(label + " is not an op of Magenta's transfer network; Stylize cannot run it");
        }
    }

    Value activation(const tfl::Operator& op, Activation y, const std::string& name, const std::string& label)
    {
        switch (op.options.activation) {
        case 0: return y;
        case 1: return relu(y, name);
        default: fail(label + ": fused activation " + std::to_string(op.options.activation) + " is not supported (ReLU is)");
        }
    }

    void mul(const tfl::Operator& op, const std::string& label)
    {
        const Value& a = in(op, 0, label);
        const Value& b = in(op, 1, label);
        const auto* sa = std::get_if<NormStep>(&a);
        const auto* sb = std::get_if<NormStep>(&b);
        if (sa && sa->kind == NormStep::Rsqrt && std::holds_alternative<Projection>(b)) {  // rsqrt * gamma
            NormStep s = *sa;
            s.kind = NormStep::A;
            s.gamma = std::get<Projection>(b);
            set(op, s);
            return;
        }
        const auto* x = std::get_if<Activation>(&a);
        if (x && sb && sb->kind == NormStep::A && sb->x == x->id) {  // x * a
            NormStep s = *sb;
            s.kind = NormStep::XA;
            set(op, s);
            return;
        }
        if (sa && sa->kind == NormStep::Mean && sb && sb->kind == NormStep::A && sa->x == sb->x) {  // mean * a
            NormStep s = *sb;
            s.kind = NormStep::MeanA;
            set(op, s);
            return;
        }
        fail(label + ": a multiplication outside an instance norm");
    }

    void add(const tfl::Operator& op, const std::string& label, const std::string& outName)
    {
        const Value& a = in(op, 0, label);
        const Value& b = in(op, 1, label);
        const auto* sa = std::get_if<NormStep>(&a);
        if (sa && sa->kind == NormStep::Variance && std::holds_alternative<Constant>(b)) {  // variance + epsilon
            const Constant& eps = std::get<Constant>(b);
            if (eps.values.size() != 1)
                fail(label + ": the epsilon should be one number");
            NormStep s = *sa;
            s.kind = NormStep::VarianceEps;
            s.epsilon = eps.values[0];
            set(op, s);
            return;
        }
        const auto* sb = std::get_if<NormStep>(&b);
        if (sa && sb && sa->kind == NormStep::XA && sb->kind == NormStep::B && sa->x == sb->x) {  // x*a + b
            InstanceNorm norm;
            norm.channels = sb->channels;
            norm.epsilon = sb->epsilon;
            if (int(sb->gamma->bias.size()) != norm.channels || int(sb->beta->bias.size()) != norm.channels)
                fail(label + ": the style's scale and shift do not match the " + std::to_string(norm.channels) +
                     " channels they normalize");
            StyleProjection::Norm p;
            p.node = int(result_.model.nodes.size());
            p.scaleWeights = sb->gamma->weights, p.scaleBias = sb->gamma->bias;
            p.shiftWeights = sb->beta->weights, p.shiftBias = sb->beta->bias;
            result_.projection.norms.push_back(std::move(p));
            Activation y{addNode(outName, std::move(norm), {sb->x}), sb->channels};
            set(op, activation(op, y, outName, label));
            return;
        }
        const auto* xa = std::get_if<Activation>(&a);
        const auto* xb = std::get_if<Activation>(&b);
        if (xa && xb && xa->channels == xb->channels && !xa->reflect && !xb->reflect && !xa->upsample &&
            !xb->upsample) {  // residual
            Activation y{addNode(outName, Add{}, {xa->id, xb->id}), xa->channels};
            set(op, activation(op, y, outName, label));
            return;
        }
        fail(label + ": an addition Stylize cannot map (expected an instance norm's last step or a residual sum)");
    }

    const tfl::Graph& g_;
    std::string name_;
    std::vector<Value> values_;
    int vectorSize_ = 0;
    int resizes_ = 0;
    bool sigmoidOut_ = false;
    MagentaTransfer result_;
};

}  // namespace

void StyleProjection::addStyle(Model& model, const std::vector<float>& vector, StyleInfo info) const
{
    if (int(vector.size()) != vectorSize)
        throw ModelError("A style vector has " + std::to_string(vector.size()) + " numbers; this network takes " +
                         std::to_string(vectorSize) + ".");
    const auto apply = [&](const std::vector<float>& w, const std::vector<float>& b) {
        std::vector<float> out(b);
        for (std::size_t c = 0; c < b.size(); ++c)
            for (int k = 0; k < vectorSize; ++k)
                out[c] += w[c * vectorSize + k] * vector[k];
        return out;
    };
    for (float v : vector)
        if (!std::isfinite(v))
            throw ModelError("A style vector holds a number that is not finite.");
    for (const Norm& n : norms) {
        auto& node = model.nodes.at(n.node);
        auto& norm = std::get<InstanceNorm>(node.op);
        std::vector<float> scale = apply(n.scaleWeights, n.scaleBias), shift = apply(n.shiftWeights, n.shiftBias);
        for (std::size_t c = 0; c < scale.size(); ++c)
            if (!std::isfinite(scale[c]) || !std::isfinite(shift[c]))
                throw ModelError("The style's scale or shift of instance norm '" + node.name +
                                 "' overflows: the network's style projection weights are out of range.");
        norm.scale.push_back(std::move(scale));
        norm.shift.push_back(std::move(shift));
    }
    model.styles.push_back(std::move(info));
}

MagentaTransfer loadMagentaTransfer(const std::filesystem::path& file)
{
    const std::vector<std::uint8_t> bytes = readFileBytes(file, 64 << 20);
    const std::string name = displayPath(file);
    const tflite::Graph g = tflite::parse(bytes, name);
    return Reader(g, name).read();
}

}  // namespace stylize::model
