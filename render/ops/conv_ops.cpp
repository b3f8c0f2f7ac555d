// Conv2dOp and ConvTranspose2dOp: weight packing, pipelines, dispatch geometry.
#include "ops/conv_ops.h"

#include <algorithm>
#include <span>
#include <string>

#include "ops/conv_kernel.h"
#include "vk/context.h"
#include "vk/error.h"

namespace stylize::render {
namespace {

constexpr int kPixelsPerInvocation = 4;  // PX in the shaders

std::uint32_t divUp(std::int64_t a, std::int64_t b) { return static_cast<std::uint32_t>((a + b - 1) / b); }

// Two output packs per invocation reuse each input load twice; with a single pack
// (the 3-channel output layer) blocking would only waste lanes.
int chooseOcBlock(int outC4) { return outC4 >= 2 ? 2 : 1; }

std::vector<float> biasPacked(const std::vector<float>& bias, int outC)
{
    std::vector<float> packed(std::size_t(packs(outC)) * 4, 0.f);
    for (std::size_t i = 0; i < bias.size(); ++i)
        packed[i] = bias[i];
    return packed;
}

std::uint64_t weightBytes(int outC, int inC, int kh, int kw, Precision precision)
{
    const std::uint64_t element = precision == Precision::Fp16Storage ? 2 : 4;
    return std::uint64_t(packs(outC)) * kh * kw * packs(inC) * 16 * element;
}

// Output packs per lane for the subgroup kernel: four reuse each input load 16 times;
// fewer only when the layer has fewer packs (the 3-channel output).
int chooseSubgroupOcBlock(int outC4) { return outC4 >= 4 ? 4 : outC4 >= 2 ? 2 : 1; }

std::uint64_t subgroupWeightBytes(int outC, int inC, int kh, int kw, int blockOc, Precision precision)
{
    const std::uint64_t element = precision == Precision::Fp16Storage ? 2 : 4;
    const int icGroup = 4 / blockOc;
    const std::uint64_t blocks = (packs(outC) + blockOc - 1) / blockOc, groups = (packs(inC) + icGroup - 1) / icGroup;
    return blocks * kh * kw * groups * 64 * element;
}

// "Upsample 2x + 3x3 conv with padding 1" as four 2x2 convs on the stored input (see
// PHASES in conv2d_subgroup.comp). Output row 2m + py reads upsampled rows 2m+py-1..
// 2m+py+1, which are stored rows m+py-1 and m+py: kernel rows {0} and {1,2} for py = 0,
// {0,1} and {2} for py = 1. Reflection at the upsampled border reads the edge row, as
// a clamp of the stored rows does.
bool phaseDecomposable(const model::Conv& conv, const model::ResolvedPadding& pad)
{
    return conv.upsample2x && conv.kernelH == 3 && conv.kernelW == 3 && conv.stride == 1 && pad.top == 1 &&
           pad.left == 1 && pad.bottom == 1 && pad.right == 1;
}

// The buffers of one convolution's packed weights and bias: the plan's weight store
// entry for (node, layout, precision), or the op's own in the device arena.
WeightStore::Entry* packedBuffers(OpResources& res, WeightStore::Entry& own, const void* node,
                                  const std::string& layout, std::uint64_t weightBytes, int outC,
                                  const std::string& label)
{
    const std::uint64_t biasBytes = std::uint64_t(packs(outC)) * 16;
    if (res.weights)
        return &res.weights->get(node, layout + " " + precisionName(res.precision), weightBytes, biasBytes, label);
    own.weights = res.deviceArena.add(weightBytes, label + " weights");
    own.bias = res.deviceArena.add(biasBytes, label + " bias");
    return &own;
}

// Uploads packed weights and bias into an entry not yet filled.
void fill(OpResources& res, WeightStore::Entry& entry, std::span<const float> packed, const std::vector<float>& bias,
          int outC)
{
    WeightUploader uploader(res.context);
    uploader.write(entry.weights, packed, res.precision == Precision::Fp16Storage);
    uploader.write(entry.bias, biasPacked(bias, outC), false);
    uploader.flush();
    entry.filled = true;
}

// Kernel taps of 3 folded into tap `a` (0 or 1) of output parity `parity`.
bool tapFolds(int parity, int a, int k) { return parity == 0 ? (a == 0 ? k == 0 : k >= 1) : (a == 0 ? k <= 1 : k == 2); }

}  // namespace

Conv2dOp::Conv2dOp(OpResources& res, const model::Conv& conv, model::Shape in, model::Shape out, vk::Buffer* input,
                   vk::Buffer* output, bool relu, std::string label)
    : res_(res), conv_(conv), in_(in), out_(out), input_(input), output_(output), label_(std::move(label))
{
    const model::ResolvedPadding pad = model::resolvePadding(conv, in.h, in.w);
    const std::int32_t push[8] = {packs(in.c), in.h, in.w, packs(out.c), out.h, out.w, pad.top, pad.left};
    std::copy(std::begin(push), std::end(push), push_);
    const int reflect = conv.padding.mode == model::PadMode::Reflect ? 1 : 0;
    const ConvKernel kernel = chooseConvKernel(res.context.info(), conv, res.precision == Precision::Fp16Storage);
    subgroupKernel_ = kernel == ConvKernel::Subgroup;
    if (kernel == ConvKernel::Tiled || kernel == ConvKernel::TiledF16) {
        const bool half = kernel == ConvKernel::TiledF16;
        if (const auto shape =
                tiledShape(conv, packs(in.c), packs(out.c), res.context.info().maxComputeSharedMemory, half)) {
            tiledKernel_ = true;
            tilePx_ = shape->px;
            blockOc_ = shape->ocBlock;
            packed_ = packedBuffers(res, own_, &conv, "oc4-ic4",
                                    weightBytes(conv.outChannels, conv.inChannels, conv.kernelH, conv.kernelW,
                                                res.precision),
                                    conv.outChannels, label_);
            const std::int32_t spec[] = {conv.kernelH, conv.kernelW, conv.stride,   reflect,   conv.upsample2x ? 1 : 0,
                                         relu ? 1 : 0, blockOc_,     shape->px, shape->icc};
            pipeline_ = &res.pipelines.get(half ? "conv2d_tiled_f16" : "conv2d_tiled", 4, sizeof(push_), spec);
            return;
        }
    }
    if (subgroupKernel_) {
        blockOc_ = chooseSubgroupOcBlock(packs(out.c));
        // 16 pixels per lane: each weight broadcast then feeds 16 multiply-adds per lane
        // (3.6x faster than 1 pixel at 256x256; 32 pixels gained nothing more). Columns
        // first, up to 4 x 16 lanes = the 64-pixel rows of the residual blocks.
        phases_ = phaseDecomposable(conv, pad);
        const int gridW = phases_ ? in.w : out.w;
        pixelsPerLane_ = std::clamp((gridW + 15) / 16, 1, 4);
        rowsPerLane_ = 16 / pixelsPerLane_;
        const int k = phases_ ? 2 : conv.kernelH, kw = phases_ ? 2 : conv.kernelW;
        packed_ = packedBuffers(res, own_, &conv, (phases_ ? "phases-" : "blocked-") + std::to_string(blockOc_),
                                (phases_ ? 4 : 1) * subgroupWeightBytes(conv.outChannels, conv.inChannels, k, kw,
                                                                        blockOc_, res.precision),
                                conv.outChannels, label_);
        if (phases_) {
            push_[4] = in.h;  // the phase grid
            push_[5] = in.w;
        }
        const std::int32_t spec[] = {k,
                                     kw,
                                     conv.stride,
                                     phases_ ? (reflect ? 2 : 0) : reflect,
                                     conv.upsample2x && !phases_ ? 1 : 0,
                                     relu ? 1 : 0,
                                     blockOc_,
                                     pixelsPerLane_,
                                     rowsPerLane_,
                                     phases_ ? 1 : 0};
        pipeline_ = &res.pipelines.get("conv2d_subgroup", 4, sizeof(push_), spec);
        return;
    }
    packed_ = packedBuffers(res, own_, &conv, "oc4-ic4",
                            weightBytes(conv.outChannels, conv.inChannels, conv.kernelH, conv.kernelW, res.precision),
                            conv.outChannels, label_);
    blockOc_ = chooseOcBlock(packs(out.c));
    const std::int32_t spec[] = {8,
                                 8,
                                 conv.kernelH,
                                 conv.kernelW,
                                 conv.stride,
                                 reflect,
                                 conv.upsample2x ? 1 : 0,
                                 relu ? 1 : 0,
                                 blockOc_};
    pipeline_ = &res.pipelines.get(halfMathKernel(kernel) ? "conv2d_f16" : "conv2d", 4, sizeof(push_), spec);
}

void Conv2dOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, packed_->weights, packed_->bias, output_};
    set_ = sets.make(*pipeline_, buffers);
    if (packed_->filled)  // an earlier plan packed this convolution the same way
        return;
    const model::Conv& c = conv_;
    auto weight = [&](int o, int i, int y, int x) {
        return c.weights[((std::size_t(o) * c.inChannels + i) * c.kernelH + y) * c.kernelW + x];
    };
    std::vector<float> packed;
    if (phases_) {
        for (int phase = 0; phase < 4; ++phase) {
            const int py = phase >> 1, px = phase & 1;
            auto folded = [&](int o, int i, int a, int b) {
                float sum = 0.f;
                for (int y = 0; y < 3; ++y)
                    for (int x = 0; x < 3; ++x)
                        if (tapFolds(py, a, y) && tapFolds(px, b, x))
                            sum += weight(o, i, y, x);
                return sum;
            };
            auto part = packConvWeightsBlocked(c.outChannels, c.inChannels, 2, 2, blockOc_, folded);
            packed.insert(packed.end(), part.begin(), part.end());
        }
    } else if (subgroupKernel_) {
        packed = packConvWeightsBlocked(c.outChannels, c.inChannels, c.kernelH, c.kernelW, blockOc_, weight);
    } else {
        packed = packConvWeights(c.outChannels, c.inChannels, c.kernelH, c.kernelW, weight);
    }
    fill(res_, *packed_, packed, c.bias, c.outChannels);
}

void Conv2dOp::record(vk::CommandRecorder& recorder)
{
    if (tiledKernel_) {
        recorder.dispatch(*pipeline_, set_, push_, sizeof(push_), divUp(out_.w, 8 * tilePx_), divUp(out_.h, 8),
                          divUp(packs(out_.c), blockOc_), {input_, packed_->weights, packed_->bias}, {output_}, label_);
        return;
    }
    if (subgroupKernel_) {
        // push_[4], push_[5]: the output or, with phases, the phase grid.
        recorder.dispatch(*pipeline_, set_, push_, sizeof(push_), divUp(push_[5], 16 * pixelsPerLane_),
                          divUp(push_[4], rowsPerLane_), divUp(packs(out_.c), blockOc_) * (phases_ ? 4 : 1),
                          {input_, packed_->weights, packed_->bias}, {output_}, label_);
        return;
    }
    recorder.dispatch(*pipeline_, set_, push_, sizeof(push_), divUp(divUp(out_.w, kPixelsPerInvocation), 8),
                      divUp(out_.h, 8), divUp(packs(out_.c), blockOc_), {input_, packed_->weights, packed_->bias}, {output_}, label_);
}

ConvTranspose2dOp::ConvTranspose2dOp(OpResources& res, const model::ConvTranspose& conv, model::Shape in,
                                     model::Shape out, vk::Buffer* input, vk::Buffer* output, bool relu,
                                     std::string label)
    : res_(res), conv_(conv), in_(in), out_(out), input_(input), output_(output), label_(std::move(label))
{
    packed_ = packedBuffers(res, own_, &conv, "transposed",
                            weightBytes(conv.outChannels, conv.inChannels, conv.kernelH, conv.kernelW, res.precision),
                            conv.outChannels, label_);
    blockOc_ = chooseOcBlock(packs(out.c));
    const std::int32_t push[8] = {packs(in.c), in.h, in.w, packs(out.c), out.h, out.w, conv.padTop, conv.padLeft};
    std::copy(std::begin(push), std::end(push), push_);
    const std::int32_t spec[] = {32, conv.kernelH, conv.kernelW, conv.stride, relu ? 1 : 0, blockOc_};
    pipeline_ = &res.pipelines.get("conv_transpose2d", 4, sizeof(push_), spec);
}

void ConvTranspose2dOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, packed_->weights, packed_->bias, output_};
    set_ = sets.make(*pipeline_, buffers);
    if (packed_->filled)
        return;
    const model::ConvTranspose& c = conv_;
    auto packed = packConvWeights(c.outChannels, c.inChannels, c.kernelH, c.kernelW, [&](int o, int i, int y, int x) {
        return c.weights[((std::size_t(i) * c.outChannels + o) * c.kernelH + y) * c.kernelW + x];
    });
    fill(res_, *packed_, packed, c.bias, c.outChannels);
}

void ConvTranspose2dOp::record(vk::CommandRecorder& recorder)
{
    const int columnsPerPhase = (out_.w + conv_.stride - 1) / conv_.stride;
    recorder.dispatch(*pipeline_, set_, push_, sizeof(push_), divUp(divUp(columnsPerPhase, kPixelsPerInvocation), 32),
                      static_cast<std::uint32_t>(out_.h),
                      divUp(packs(out_.c), blockOc_) * static_cast<std::uint32_t>(conv_.stride),
                      {input_, packed_->weights, packed_->bias}, {output_}, label_);
}

}  // namespace stylize::render
