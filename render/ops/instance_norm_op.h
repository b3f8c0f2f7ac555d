// Instance normalization (conditional: per-style scale/shift blended by weights) with the
// residual add and ReLU that follow it fused in.
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

class InstanceNormOp : public GpuOp {
public:
    // residual: null, or a tensor added after normalization (before the ReLU).
    InstanceNormOp(OpResources& res, const model::InstanceNorm& norm, model::Shape shape, vk::Buffer* input,
                   vk::Buffer* residual, vk::Buffer* output, bool relu, std::string label);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorSets() const override { return 3; }
    std::uint32_t descriptorBuffers() const override { return 10; }

    // Rewrites the blended scale/shift (weights sum to 1, one per style slot); takes
    // effect on the next submission without re-recording.
    void setStyleWeights(std::span<const float> weights);

private:
    OpResources& res_;
    const model::InstanceNorm& norm_;
    model::Shape shape_;
    vk::Buffer *input_, *residual_, *output_, *params_, *coefficients_, *partials_ = nullptr;
    int slices_ = 1;                         // > 1: instance_norm_partial.comp sums slices first
    const vk::Pipeline* partial_ = nullptr;  // only with slices_ > 1
    VkDescriptorSet partialSet_ = VK_NULL_HANDLE;
    const vk::Pipeline* stats_ = nullptr;
    const vk::Pipeline* apply_ = nullptr;
    VkDescriptorSet statsSet_ = VK_NULL_HANDLE, applySet_ = VK_NULL_HANDLE;
    std::string label_;
};

}  // namespace stylize::render
