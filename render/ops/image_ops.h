// Conversions between RGBA8 frames and the network's packed tensors, with resampling,
// the model's value mapping, strength and colour preservation.
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

// Frame (srcW x srcH RGBA8, one uint per pixel) -> input tensor of dstW x dstH.
class ImageToTensorOp : public GpuOp {
public:
    ImageToTensorOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* image, int srcW, int srcH,
                    vk::Buffer* tensor, int dstW, int dstH);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 2; }

private:
    vk::Buffer *image_, *tensor_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t srcW, srcH, dstW, dstH;
        float scale[3], bias[3];
    } push_;
};

struct OutputLook {
    float strength = 1.f;         // 0: the original frame, 1: full style
    bool preserveColours = false;  // stylized luminance, original chroma
    bool operator==(const OutputLook&) const = default;
};

// Output tensor (its top-left validW x validH is the image) -> dstW x dstH RGBA8,
// mixed with the original frame (origW x origH) per OutputLook.
class TensorToImageOp : public GpuOp {
public:
    TensorToImageOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* tensor, model::Shape shape,
                    int validW, int validH, vk::Buffer* original, int origW, int origH, vk::Buffer* image, int dstW,
                    int dstH);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 3; }
    // Takes effect at the next record(): push constants live in the command buffer.
    void setLook(const OutputLook& look);

private:
    vk::Buffer *tensor_, *original_, *image_;
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
