// CPU reference convolutions: conv2d (padding, upsampling folded) and convTranspose2d.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cpu/parallel.h"
#include "cpu/reference_ops.h"

namespace stylize::cpu {
namespace {

[[noreturn]] void fail(const std::string& op, const std::string& what)
{
    throw std::invalid_argument(op + ": " + what);
}

std::size_t sz(std::int64_t n) { return static_cast<std::size_t>(n); }

// PyTorch/ONNX "reflect": ... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...; the edge is not repeated.
// Folded so that pads wider than the input (which PyTorch rejects) still index in range.
int reflectIndex(int i, int n)
{
    if (n == 1)
        return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0)
        i += period;
    return i < n ? i : period - i;
}

// The conv's input as it is read: upsampled if asked, then padded. Materialising it
// costs one copy but makes the inner loop a branch-free contiguous multiply-add, which
// the compiler vectorises; the padded plane is at most a few hundred KB.
Tensor paddedSource(const Tensor& in, const model::Conv& conv, const model::ResolvedPadding& p)
{
    const int up = conv.upsample2x ? 2 : 1;
    const int srcH = in.shape.h * up, srcW = in.shape.w * up;
    Tensor out({in.shape.c, srcH + p.top + p.bottom, srcW + p.left + p.right});
    const bool reflect = conv.padding.mode == model::PadMode::Reflect;
    for (int c = 0; c < in.shape.c; ++c) {
        for (int y = 0; y < out.shape.h; ++y) {
            int sy = y - p.top;
            if (sy < 0 || sy >= srcH) {
                if (!reflect)
                    continue;  // zero padding: the row stays 0
                sy = reflectIndex(sy, srcH);
            }
            float* dst = out.row(c, y);
            const float* src = in.row(c, sy / up);
            for (int x = 0; x < out.shape.w; ++x) {
                int sx = x - p.left;
                if (sx < 0 || sx >= srcW) {
                    if (!reflect)
                        continue;
                    sx = reflectIndex(sx, srcW);
                }
                dst[x] = src[sx / up];
            }
        }
    }
    return out;
}

void checkBias(const std::string& op, const std::vector<float>& bias, int outChannels)
{
    if (!bias.empty() && bias.size() != sz(outChannels))
        fail(op, "bias has " + std::to_string(bias.size()) + " values, expected " +
                     std::to_string(outChannels));
}

// The checks conv2d and convTranspose2d share: channels, positive sizes, the weight count
// in the op's layout ("OIHW" or "IOHW") and the bias. Returns the op's name for messages.
template <class ConvT>
std::string checkConvParameters(const char* kind, const Shape& input, const ConvT& conv, const char* layout)
{
    const std::string op = std::string(kind) + " " + std::to_string(conv.kernelH) + "x" + std::to_string(conv.kernelW) +
                           " on " + toString(input);
    if (input.c != conv.inChannels)
        fail(op, "input has " + std::to_string(input.c) + " channels, conv expects " +
                     std::to_string(conv.inChannels));
    if (conv.kernelH < 1 || conv.kernelW < 1 || conv.stride < 1 || conv.outChannels < 1)
        fail(op, "kernel, stride and output channels must be positive");
    const auto expected = std::int64_t(conv.outChannels) * conv.inChannels * conv.kernelH *
                          conv.kernelW;
    if (conv.weights.size() != sz(expected))
        fail(op, "weights have " + std::to_string(conv.weights.size()) + " values, " + layout + " needs " +
                     std::to_string(expected));
    checkBias(op, conv.bias, conv.outChannels);
    return op;
}

}  // namespace

Shape conv2dShape(const Shape& input, const model::Conv& conv)
{
    const std::string op = checkConvParameters("conv2d", input, conv, "OIHW");
    const int up = conv.upsample2x ? 2 : 1;
    const auto p = model::resolvePadding(conv, input.h, input.w);
    const int h = input.h * up + p.top + p.bottom, w = input.w * up + p.left + p.right;
    if (h < conv.kernelH || w < conv.kernelW)
        fail(op, "padded input " + std::to_string(h) + "x" + std::to_string(w) +
                     " is smaller than the kernel");
    return {conv.outChannels, (h - conv.kernelH) / conv.stride + 1,
            (w - conv.kernelW) / conv.stride + 1};
}

Tensor conv2d(const Tensor& input, const model::Conv& conv)
{
    const Shape outShape = conv2dShape(input.shape, conv);
    const auto pad = model::resolvePadding(conv, input.shape.h, input.shape.w);
    const Tensor src = paddedSource(input, conv, pad);
    Tensor out(outShape);
    const int kh = conv.kernelH, kw = conv.kernelW, s = conv.stride, cin = conv.inChannels;
    const std::size_t srcW = sz(src.shape.w);
    const double work = double(outShape.elements()) * cin * kh * kw;

    // One output plane per task: it stays in cache while every (input channel, tap)
    // adds its weighted, shifted copy of the source plane to it.
    parallelFor(outShape.c, work, [&](int oc) {
        float* dst = out.plane(oc);
        const float bias = conv.bias.empty() ? 0.f : conv.bias[sz(oc)];
        std::fill(dst, dst + out.planeSize(), bias);
        for (int ic = 0; ic < cin; ++ic) {
            const float* plane = src.plane(ic);
            const float* w = conv.weights.data() + (sz(oc) * cin + sz(ic)) * sz(kh) * sz(kw);
            for (int ky = 0; ky < kh; ++ky) {
                for (int kx = 0; kx < kw; ++kx) {
                    const float wv = w[ky * kw + kx];
                    for (int oy = 0; oy < outShape.h; ++oy) {
                        float* __restrict row = dst + sz(oy) * sz(outShape.w);
                        const float* __restrict in = plane + sz(oy * s + ky) * srcW + sz(kx);
                        if (s == 1) {
                            for (int ox = 0; ox < outShape.w; ++ox)
                                row[ox] += wv * in[ox];
                        } else {
                            for (int ox = 0; ox < outShape.w; ++ox)
                                row[ox] += wv * in[sz(ox) * sz(s)];
                        }
                    }
                }
            }
        }
    });
    return out;
}

Shape convTranspose2dShape(const Shape& input, const model::ConvTranspose& conv)
{
    const std::string op = checkConvParameters("convTranspose2d", input, conv, "IOHW");
    if (conv.padTop < 0 || conv.padLeft < 0)
        fail(op, "padTop/padLeft must not be negative");
    const int h = (input.h - 1) * conv.stride + conv.kernelH - conv.padTop - conv.padBottom;
    const int w = (input.w - 1) * conv.stride + conv.kernelW - conv.padLeft - conv.padRight;
    if (h < 1 || w < 1)
        fail(op, "padding leaves an empty output");
    return {conv.outChannels, h, w};
}

Tensor convTranspose2d(const Tensor& input, const model::ConvTranspose& conv)
{
    const Shape outShape = convTranspose2dShape(input.shape, conv);
    Tensor out(outShape);
    const int kh = conv.kernelH, kw = conv.kernelW, s = conv.stride;
    const int cin = conv.inChannels, cout = conv.outChannels;
    const int inH = input.shape.h, inW = input.shape.w;
    const double work = double(input.shape.elements()) * cout * kh * kw;

    // Scatter form, the definition itself: input (iy, ix) through tap (ky, kx) lands on
    // output (iy*s + ky - padTop, ix*s + kx - padLeft), when that is inside the output.
    parallelFor(cout, work, [&](int oc) {
        float* dst = out.plane(oc);
        const float bias = conv.bias.empty() ? 0.f : conv.bias[sz(oc)];
        std::fill(dst, dst + out.planeSize(), bias);
        for (int ic = 0; ic < cin; ++ic) {
            const float* plane = input.plane(ic);
            const float* w = conv.weights.data() + (sz(ic) * cout + sz(oc)) * sz(kh) * sz(kw);
            for (int ky = 0; ky < kh; ++ky) {
                for (int kx = 0; kx < kw; ++kx) {
                    const float wv = w[ky * kw + kx];
                    // ix range whose ox = ix*s + kx - padLeft falls in [0, outW).
                    const int ox0 = kx - conv.padLeft;
                    if (outShape.w - 1 - ox0 < 0)
                        continue;
                    const int ixLo = ox0 >= 0 ? 0 : (-ox0 + s - 1) / s;
                    const int ixHi = std::min(inW - 1, (outShape.w - 1 - ox0) / s);
                    for (int iy = 0; iy < inH; ++iy) {
                        const int oy = iy * s + ky - conv.padTop;
                        if (oy < 0 || oy >= outShape.h)
                            continue;
                        float* __restrict row = dst + sz(oy) * sz(outShape.w);
                        const float* __restrict in = plane + sz(iy) * sz(inW);
                        for (int ix = ixLo; ix <= ixHi; ++ix)
                            row[ix * s + ox0] += wv * in[ix];
                    }
                }
            }
        }
    });
    return out;
}

}  // namespace stylize::cpu
