// LumaMeanOp: the mean luminance of the network's input and output images (the scene's
// light and the painting's), which TensorToFrameOp reads for OutputLook::sceneLight.
// record() measures the input: record it before the network, whose later layers reuse the
// input's buffer; recordOutput() after the network.
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

class LumaMeanOp : public GpuOp {
public:
    // `means` (kMeansBytes: the two means, 0..255, input then output, and the slices'
    // partial sums) is written on the device; both tensors' top-left validW x validH is the
    // image.
    LumaMeanOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
               vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* means);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    void recordOutput(vk::CommandRecorder& recorder);
    std::uint32_t descriptorBuffers() const override { return 3; }
    // Each image is summed in slices of kSlicePixels by as many workgroups (at most
    // kMaxSlices), then the slices' sums by one.
    static constexpr int kSlicePixels = 4096, kMaxSlices = 128;
    static constexpr std::uint64_t kMeansBytes = (2 + 2 * kMaxSlices) * sizeof(float);

private:
    // Stage 0 (slice sums) and stage 1 (their total) for one image.
    void recordMean(vk::CommandRecorder& recorder, int which, vk::Buffer* image, const char* label);

    vk::Buffer *input_, *output_, *means_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t which, stage, slices, chunk, maxSlices, inW, outW, validW, validH;
        float inMul[3], inAdd[3], outMul[3], outAdd[3];
    } push_;
};

}  // namespace stylize::render
