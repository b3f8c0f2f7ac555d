// Conversions between video frames (RGBA8, YUV420P, NV12, YUYV422 in the GPU frame
// layout) and the network's packed tensors: colour conversion, resampling, the model's
// value mapping, strength and colour preservation.
#pragma once

#include "frame.h"
#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

// Frame (as uploaded: frame.layout/size/colour) -> input tensor of dstW x dstH.
class FrameToTensorOp : public GpuOp {
public:
    FrameToTensorOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* frame,
                    const FrameGeometry& geometry, vk::Buffer* tensor, int dstW, int dstH);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 2; }

private:
    vk::Buffer *frame_, *tensor_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t srcW, srcH, dstW, dstH;
        float scale[3], bias[3];
    } push_;
};

struct OutputLook {
    float strength = 1.f;          // 0: the original frame, 1: full style
    bool preserveColours = false;  // stylized luminance, original chroma
    bool operator==(const OutputLook&) const = default;
};

// Output tensor (its top-left validW x validH is the image) -> a frame of `output`'s
// layout and size (RGBA8, YUV420P or NV12), mixed with the original frame per OutputLook.
class TensorToFrameOp : public GpuOp {
public:
    TensorToFrameOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* tensor, model::Shape shape,
                    int validW, int validH, vk::Buffer* original, const FrameGeometry& originalGeometry,
                    vk::Buffer* result, const FrameGeometry& output);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 3; }
    // Takes effect at the next record(): push constants live in the command buffer.
    void setLook(const OutputLook& look);

private:
    vk::Buffer *tensor_, *original_, *result_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t tensorW, validW, validH, origW, origH, dstW, dstH;
        float scale[3], bias[3];
        float strength;
        std::int32_t preserveColour;
    } push_;
};

}  // namespace stylize::render
