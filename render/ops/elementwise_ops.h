// Element-wise maps (ReLU, tanh, sigmoid, affine, clamp, add) and nearest 2x upsampling.
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

enum class ElementwiseKind { Relu = 0, Tanh = 1, Sigmoid = 2, Affine = 3, Clamp = 4, Add = 5 };

class ElementwiseOp : public GpuOp {
public:
    // other: the second operand of Add, null otherwise. a/b: affine scale/bias or clamp lo/hi.
    ElementwiseOp(OpResources& res, ElementwiseKind kind, float a, float b, model::Shape shape, vk::Buffer* input,
                  vk::Buffer* other, vk::Buffer* output, std::string label);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 3; }

private:
    ElementwiseKind kind_;
    model::Shape shape_;
    vk::Buffer *input_, *other_, *output_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t count;
        float a, b;
    } push_;
    std::string label_;
};

class Upsample2xOp : public GpuOp {
public:
    Upsample2xOp(OpResources& res, model::Shape in, vk::Buffer* input, vk::Buffer* output, std::string label);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 2; }

private:
    model::Shape in_;
    vk::Buffer *input_, *output_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    std::string label_;
};

}  // namespace stylize::render
