// Convolution and transposed convolution on packed tensors (weights repacked at load).
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

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
    vk::Buffer *input_, *output_, *weights_, *bias_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    int blockOc_ = 2;
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
    vk::Buffer *input_, *output_, *weights_, *bias_;
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

}  // namespace stylize::render
