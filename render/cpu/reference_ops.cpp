// CPU reference of the non-convolution ops: upsampling, instance norm, element-wise ops.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpu/reference_ops.h"

namespace stylize::cpu {
namespace {

[[noreturn]] void fail(const std::string& op, const std::string& what)
{
    throw std::invalid_argument(op + ": " + what);
}

template <typename F>
Tensor map(Tensor x, F f)
{
    for (float& v : x.data)
        v = f(v);
    return x;
}

// The blend of one IN parameter over the style slots.
std::vector<float> blend(const std::vector<std::vector<float>>& slots,
                         std::span<const float> weights, int channels, const char* what)
{
    std::vector<float> out(static_cast<std::size_t>(channels), 0.f);
    for (std::size_t s = 0; s < weights.size(); ++s) {
        if (slots[s].size() != out.size())
            fail("instanceNorm", std::string(what) + " of slot " + std::to_string(s) + " has " +
                                     std::to_string(slots[s].size()) + " values, expected " +
                                     std::to_string(channels));
        if (weights[s] == 0.f)
            continue;
        for (std::size_t c = 0; c < out.size(); ++c)
            out[c] += weights[s] * slots[s][c];
    }
    return out;
}

}  // namespace

Tensor upsample2x(const Tensor& input)
{
    const Shape in = input.shape;
    Tensor out({in.c, in.h * 2, in.w * 2});
    for (int c = 0; c < in.c; ++c)
        for (int y = 0; y < out.shape.h; ++y)
            for (int x = 0; x < out.shape.w; ++x)
                out.at(c, y, x) = input.at(c, y / 2, x / 2);
    return out;
}

Tensor instanceNorm(const Tensor& input, const model::InstanceNorm& norm,
                    std::span<const float> styleWeights)
{
    const std::string op = "instanceNorm on " + toString(input.shape);
    if (input.shape.c != norm.channels)
        fail(op, "input has " + std::to_string(input.shape.c) + " channels, the norm " +
                     std::to_string(norm.channels));
    if (norm.scale.empty() || norm.scale.size() != norm.shift.size())
        fail(op, "needs as many scale as shift slots, at least one");
    std::vector<float> slot0;
    if (styleWeights.empty()) {
        slot0.assign(norm.scale.size(), 0.f);
        slot0[0] = 1.f;
        styleWeights = slot0;
    }
    if (styleWeights.size() != norm.scale.size())
        fail(op, std::to_string(styleWeights.size()) + " style weights for " +
                     std::to_string(norm.scale.size()) + " style slots");
    const std::vector<float> scale = blend(norm.scale, styleWeights, norm.channels, "scale");
    const std::vector<float> shift = blend(norm.shift, styleWeights, norm.channels, "shift");

    Tensor out(input.shape);
    const std::size_t n = input.planeSize();
    for (int c = 0; c < input.shape.c; ++c) {
        // Two passes in double: the mean first, then the spread around it, so a large
        // mean (raw 0..255 activations) does not cancel the variance away.
        const float* x = input.plane(c);
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            sum += x[i];
        const double mean = sum / double(n);
        double sq = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            sq += (x[i] - mean) * (x[i] - mean);
        const double var = sq / double(n);  // biased, as every framework computes IN
        const double k = scale[std::size_t(c)] / std::sqrt(var + double(norm.epsilon));
        const double b = shift[std::size_t(c)] - mean * k;
        float* y = out.plane(c);
        for (std::size_t i = 0; i < n; ++i)
            y[i] = static_cast<float>(x[i] * k + b);
    }
    return out;
}

Tensor relu(Tensor x)
{
    return map(std::move(x), [](float v) { return v > 0.f ? v : 0.f; });
}

Tensor add(const Tensor& a, const Tensor& b)
{
    if (!(a.shape == b.shape))
        fail("add", "shapes differ: " + toString(a.shape) + " and " + toString(b.shape));
    Tensor out(a.shape);
    for (std::size_t i = 0; i < out.data.size(); ++i)
        out.data[i] = a.data[i] + b.data[i];
    return out;
}

Tensor tanh(Tensor x)
{
    return map(std::move(x), [](float v) { return std::tanh(v); });
}

Tensor sigmoid(Tensor x)
{
    // 1 / (1 + e^-x) overflows harmlessly to 0 for very negative x (e^-x = inf).
    return map(std::move(x), [](float v) { return 1.f / (1.f + std::exp(-v)); });
}

Tensor affine(Tensor x, const model::Affine& op)
{
    return map(std::move(x), [&](float v) { return v * op.scale + op.bias; });
}

Tensor clamp(Tensor x, const model::Clamp& op)
{
    if (!(op.lo <= op.hi))
        fail("clamp", "lo " + std::to_string(op.lo) + " is above hi " + std::to_string(op.hi));
    return map(std::move(x), [&](float v) { return std::clamp(v, op.lo, op.hi); });
}

}  // namespace stylize::cpu
