// StylePredictor: a float interpreter of the predictor's TFLite ops, NHWC tensors.
#include "cpu/style_predictor.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "cpu/parallel.h"
#include "model/file_bytes.h"
#include "model/model.h"
#include "model/tflite_file.h"

namespace stylize::cpu {
namespace {

namespace tfl = model::tflite;

struct Tensor {
    std::vector<int> shape;  // NHWC
    std::vector<float> data;
};

// SAME padding before (the smaller half), as TensorFlow computes it.
int padBefore(int in, int k, int stride)
{
    const int out = (in + stride - 1) / stride;
    return std::max((out - 1) * stride + k - in, 0) / 2;
}

float activate(float v, int activation)
{
    switch (activation) {
    case 1: return std::max(v, 0.f);
    case 2: return std::clamp(v, -1.f, 1.f);
    case 3: return std::clamp(v, 0.f, 6.f);
    default: return v;
    }
}

}  // namespace

struct StylePredictor::Impl {
    std::vector<std::uint8_t> bytes;  // the tensors' constant data points into it
    tfl::Graph graph;
    std::string name;
    std::vector<std::vector<float>> constants;  // dequantized, by tensor index (empty: computed)

    [[noreturn]] void fail(const std::string& what) const { throw model::ModelError(name + ": " + what + "."); }

    Tensor conv(const Tensor& x, int wIndex, int bIndex, const tfl::Options& o, bool depthwise) const
    {
        const std::vector<int>& ws = graph.tensors[wIndex].shape;
        const std::vector<float>& w = constants[wIndex];
        const int n = x.shape[0], h = x.shape[1], wd = x.shape[2], c = x.shape[3];
        const int kh = ws[1], kw = ws[2];
        const int oc = depthwise ? ws[3] : ws[0];
        if ((!depthwise && ws[3] != c) || (depthwise && oc != c * o.depthMultiplier))
            fail("a convolution's weights do not match its input's " + std::to_string(c) + " channels");
        const int sh = o.strideH, sw = o.strideW;
        const bool same = o.padding == 0;
        const int oh = same ? (h + sh - 1) / sh : (h - kh) / sh + 1;
        const int ow = same ? (wd + sw - 1) / sw : (wd - kw) / sw + 1;
        const int pt = same ? padBefore(h, kh, sh) : 0, pl = same ? padBefore(wd, kw, sw) : 0;
        const std::vector<float>* bias = bIndex >= 0 ? &constants[bIndex] : nullptr;
        Tensor y{{n, oh, ow, oc}, std::vector<float>(std::size_t(n) * oh * ow * oc)};
        parallelFor(oh, double(oh) * ow * oc * kh * kw * (depthwise ? 1 : c), [&](int oy) {
            for (int b = 0; b < n; ++b)
                for (int ox = 0; ox < ow; ++ox) {
                    float* out = &y.data[((std::size_t(b) * oh + oy) * ow + ox) * oc];
                    for (int k = 0; k < oc; ++k)
                        out[k] = bias ? (*bias)[k] : 0.f;
                    for (int ky = 0; ky < kh; ++ky) {
                        const int iy = oy * sh + ky - pt;
                        if (iy < 0 || iy >= h)
                            continue;
                        for (int kx = 0; kx < kw; ++kx) {
                            const int ix = ox * sw + kx - pl;
                            if (ix < 0 || ix >= wd)
                                continue;
                            const float* in = &x.data[((std::size_t(b) * h + iy) * wd + ix) * c];
                            if (depthwise) {
                                const float* wk = &w[(std::size_t(ky) * kw + kx) * oc];
                                for (int k = 0; k < oc; ++k)
                                    out[k] += in[k / o.depthMultiplier] * wk[k];
                            } else {
                                for (int k = 0; k < oc; ++k) {
                                    const float* wk = &w[((std::size_t(k) * kh + ky) * kw + kx) * c];
                                    float s = 0.f;
                                    for (int i = 0; i < c; ++i)
                                        s += in[i] * wk[i];
                                    out[k] += s;
                                }
                            }
                        }
                    }
                    for (int k = 0; k < oc; ++k)
                        out[k] = activate(out[k], o.activation);
                }
        });
        return y;
    }

    // Rounds to the tensor's int8/uint8 grid, as an int8 kernel's output is.
    void fakeQuantize(int index, Tensor& t) const
    {
        const tfl::Tensor& info = graph.tensors[index];
        const auto& q = info.quantization;
        if (q.scale.size() != 1 || (info.type != tfl::TensorType::Int8 && info.type != tfl::TensorType::UInt8))
            return;
        const float s = q.scale[0], z = q.zeroPoint.empty() ? 0.f : float(q.zeroPoint[0]);
        const float lo = info.type == tfl::TensorType::Int8 ? -128.f : 0.f, hi = lo + 255.f;
        for (float& v : t.data)
            v = (std::clamp(std::nearbyint(v / s) + z, lo, hi) - z) * s;
    }

    std::vector<float> run(const std::vector<float>& hwc) const
    {
        std::vector<std::optional<Tensor>> values(graph.tensors.size());
        const int input = graph.inputs[0];
        const std::vector<int>& shape = graph.tensors[input].shape;
        values[input] = Tensor{shape, hwc};
        const auto get = [&](int index, const char* what) -> const Tensor& {
            if (index < 0 || !values[index])
                fail(std::string("the ") + what + " of an op is not computed before it");
            return *values[index];
        };
        for (const tfl::Operator& op : graph.operators) {
            const char* opName = tfl::builtinName(op.builtin);
            const std::string label = opName ? opName : "builtin op " + std::to_string(op.builtin);
            if (op.outputs.empty())
                fail(label + " has no output");
            Tensor y;
            switch (op.builtin) {
            case tfl::kQuantize:
            case tfl::kDequantize: y = get(op.inputs.at(0), "input"); break;
            case tfl::kConv2d:
            case tfl::kDepthwiseConv2d:
                if (op.inputs.size() < 2 || constants[op.inputs[1]].empty())
                    fail(label + " needs constant weights");
                y = conv(get(op.inputs[0], "input"), op.inputs[1], op.inputs.size() > 2 ? op.inputs[2] : -1,
                         op.options, op.builtin == tfl::kDepthwiseConv2d);
                break;
            case tfl::kAdd: {
                const Tensor& a = get(op.inputs.at(0), "first input");
                const Tensor& b = get(op.inputs.at(1), "second input");
                if (a.data.size() != b.data.size())
                    fail("ADD of differently shaped tensors is not supported");
                y = a;
                for (std::size_t i = 0; i < y.data.size(); ++i)
                    y.data[i] = activate(a.data[i] + b.data[i], op.options.activation);
                break;
            }
            case tfl::kMean: {
                const Tensor& x = get(op.inputs.at(0), "input");
                const std::vector<float>& axes = constants.at(op.inputs.at(1));
                if (axes != std::vector<float>{1, 2} || x.shape.size() != 4)
                    fail("MEAN over other axes than height and width is not supported");
                const int n = x.shape[0], hw = x.shape[1] * x.shape[2], c = x.shape[3];
                y.shape = op.options.keepDims ? std::vector<int>{n, 1, 1, c} : std::vector<int>{n, c};
                y.data.assign(std::size_t(n) * c, 0.f);
                for (int b = 0; b < n; ++b)
                    for (int i = 0; i < hw; ++i)
                        for (int k = 0; k < c; ++k)
                            y.data[std::size_t(b) * c + k] += x.data[(std::size_t(b) * hw + i) * c + k];
                for (float& v : y.data)
                    v /= float(hw);
                break;
            }
            default: fail(label + " is not an op of Magenta's style predictor; Stylize cannot run it");
            }
            if (op.builtin != tfl::kDequantize)
                fakeQuantize(op.outputs[0], y);
            values[op.outputs[0]] = std::move(y);
        }
        return get(graph.outputs.at(0), "output").data;
    }
};

StylePredictor::StylePredictor(const std::filesystem::path& file) : impl_(std::make_unique<Impl>())
{
    Impl& m = *impl_;
    m.name = model::displayPath(file);
    m.bytes = model::readFileBytes(file, 64 << 20);
    m.graph = tfl::parse(m.bytes, m.name);
    if (m.graph.inputs.size() != 1 || m.graph.outputs.size() != 1)
        m.fail("expected one input (the picture) and one output (the style vector), as Magenta's predictor has");
    const std::vector<int>& in = m.graph.tensors[m.graph.inputs[0]].shape;
    if (in.size() != 4 || in[0] != 1 || in[3] != 3 || in[1] != in[2] || in[1] < 16 || in[1] > 1024)
        m.fail("the input should be one square RGB picture");
    m.constants.resize(m.graph.tensors.size());
    for (std::size_t t = 0; t < m.graph.tensors.size(); ++t)
        if (!m.graph.tensors[t].data.empty())
            m.constants[t] = tfl::constantValues(m.graph.tensors[t], m.name);
}

StylePredictor::~StylePredictor() = default;
StylePredictor::StylePredictor(StylePredictor&&) noexcept = default;

int StylePredictor::inputSize() const { return impl_->graph.tensors[impl_->graph.inputs[0]].shape[1]; }

std::vector<float> StylePredictor::predictResized(const std::vector<float>& hwc) const
{
    const int s = inputSize();
    if (hwc.size() != std::size_t(s) * s * 3)
        impl_->fail("the picture should be " + std::to_string(s) + "x" + std::to_string(s) + " RGB");
    return impl_->run(hwc);
}

std::vector<float> StylePredictor::predict(const render::ImageView& picture) const
{
    // Resampled with a triangle filter as wide as the scale (PIL's antialiased bilinear).
    const int s = inputSize();
    if (picture.width < 1 || picture.height < 1)
        impl_->fail("the style picture is empty");
    std::vector<float> out(std::size_t(s) * s * 3);
    const double fx = double(picture.width) / s, fy = double(picture.height) / s;
    const double sx = std::max(1.0, fx), sy = std::max(1.0, fy);
    for (int y = 0; y < s; ++y) {
        const double cy = (y + 0.5) * fy;
        const int y0 = std::max(0, int(std::floor(cy - sy))), y1 = std::min(picture.height, int(std::ceil(cy + sy)));
        for (int x = 0; x < s; ++x) {
            const double cx = (x + 0.5) * fx;
            const int x0 = std::max(0, int(std::floor(cx - sx))), x1 = std::min(picture.width, int(std::ceil(cx + sx)));
            double acc[3] = {0, 0, 0}, total = 0;
            for (int py = y0; py < y1; ++py) {
                const double wy = std::max(0.0, 1 - std::abs((py + 0.5 - cy) / sy));
                for (int px = x0; px < x1; ++px) {
                    const double wgt = wy * std::max(0.0, 1 - std::abs((px + 0.5 - cx) / sx));
                    const std::uint8_t* p = picture.rgba + (std::size_t(py) * picture.width + px) * 4;
                    for (int c = 0; c < 3; ++c)
                        acc[c] += wgt * p[c];
                    total += wgt;
                }
            }
            for (int c = 0; c < 3; ++c)
                out[(std::size_t(y) * s + x) * 3 + c] = float(total > 0 ? acc[c] / total / 255.0 : 0.0);
        }
    }
    return impl_->run(out);
}

}  // namespace stylize::cpu
