// Convolution and transposed convolution on packed tensors (weights repacked at load).
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"
#include "ops/weight_store.h"

namespace stylize::render {

class Conv2dOp : public GpuOp {
public:
    // in: the stored input (inC x inH x inW, before any folded upsampling).
    Conv2dOp(OpResources& res, const model::Conv& conv, model::Shape in, model::Shape out, vk::Buffer* input,
             vk::Buffer* output, bool relu, std::string label);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 4; }

private:
    OpResources& res_;
    const model::Conv& conv_;
    model::Shape in_, out_;
    vk::Buffer *input_, *output_;
    WeightStore::Entry own_;                // without a store: buffers in deviceArena
    WeightStore::Entry* packed_ = nullptr;  // weights and bias: the store's entry, or own_
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    bool subgroupKernel_ = false;  // conv2d_subgroup.comp instead of conv2d.comp
    bool tiledKernel_ = false;     // conv2d_tiled.comp
    int tilePx_ = 4;               // tiled kernel: pixels per invocation
    int blockOc_ = 2;
    int pixelsPerLane_ = 4;  // subgroup kernel: output columns per lane (16 apart)
    int rowsPerLane_ = 1;    // subgroup kernel: output rows per lane
    bool phases_ = false;    // subgroup kernel: upsample + 3x3 as four 2x2 phase convs
    std::int32_t push_[8] = {};
    std::string label_;
};

class ConvTranspose2dOp : public GpuOp {
public:
    ConvTranspose2dOp(OpResources& res, const model::ConvTranspose& conv, model::Shape in, model::Shape out,
                      vk::Buffer* input, vk::Buffer* output, bool relu, std::string label);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 4; }

private:
    OpResources& res_;
    const model::ConvTranspose& conv_;
    model::Shape in_, out_;
    vk::Buffer *input_, *output_;
    WeightStore::Entry own_;
    WeightStore::Entry* packed_ = nullptr;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    int blockOc_ = 2;
    std::int32_t push_[8] = {};
    std::string label_;
};

// [oc4][ky][kx][ic4][in lane j][out lane k] from a weight accessor w(o, i, ky, kx),
// zero past the real channel counts. Exposed for tests.
template <typename Fn>
std::vector<float> packConvWeights(int outC, int inC, int kh, int kw, Fn&& w)
{
    const int oc4 = packs(outC), ic4 = packs(inC);
    std::vector<float> packed(std::size_t(oc4) * kh * kw * ic4 * 16, 0.f);
    std::size_t i = 0;
    for (int o4 = 0; o4 < oc4; ++o4)
        for (int y = 0; y < kh; ++y)
            for (int x = 0; x < kw; ++x)
                for (int i4 = 0; i4 < ic4; ++i4)
                    for (int j = 0; j < 4; ++j)
                        for (int k = 0; k < 4; ++k, ++i) {
                            const int o = o4 * 4 + k, in = i4 * 4 + j;
                            if (o < outC && in < inC)
                                packed[i] = w(o, in, y, x);
                        }
    return packed;
}

// The layout of conv2d_subgroup.comp: [oc block][ky][kx][ic4 group][g][o][j][k] with
// blockOc output packs per block and 4 / blockOc input packs per group, so each
// (block, tap, group) is 16 consecutive vec4s, one per lane. Exposed for tests.
template <typename Fn>
std::vector<float> packConvWeightsBlocked(int outC, int inC, int kh, int kw, int blockOc, Fn&& w)
{
    const int icGroup = 4 / blockOc;
    const int blocks = (packs(outC) + blockOc - 1) / blockOc, groups = (packs(inC) + icGroup - 1) / icGroup;
    std::vector<float> packed(std::size_t(blocks) * kh * kw * groups * 64, 0.f);
    std::size_t i = 0;
    for (int b = 0; b < blocks; ++b)
        for (int y = 0; y < kh; ++y)
            for (int x = 0; x < kw; ++x)
                for (int q = 0; q < groups; ++q)
                    for (int g = 0; g < icGroup; ++g)
                        for (int o4 = 0; o4 < blockOc; ++o4)
                            for (int j = 0; j < 4; ++j)
                                for (int k = 0; k < 4; ++k, ++i) {
                                    const int o = (b * blockOc + o4) * 4 + k, in = (q * icGroup + g) * 4 + j;
                                    if (o < outC && in < inC)
                                        packed[i] = w(o, in, y, x);
                                }
    return packed;
}

}  // namespace stylize::render
