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
    // 0: the painting's light (the network's instance norms take out the input's
    // exposure: a night shot comes out as bright as a day); 1: the stylized frame is
    // scaled so its mean luminance is the scene's. In between, a geometric mix of the two.
    float sceneLight = 0.f;
    // 0: every frame as the network paints it; up to 1: a still part of the scene keeps
    // part of its previous output (up to SteadyOp::kMaxKeep), so its strokes stop
    // flickering with the camera's noise, while what moves or changes is painted anew
    // (render/ops/steady_op.h). The first frame of a size, or after frames without it,
    // starts afresh.
    float steady = 0.f;
    bool operator==(const OutputLook&) const = default;
};

// Output tensor (its top-left validW x validH is the image) -> a frame of `output`'s
// layout and size (RGBA8, YUV420P or NV12), mixed with the original frame per OutputLook.
// With OutputLook::sceneLight > 0 it reads the two mean luminances LumaMeanOp wrote into
// `lumaMeans` (recorded before it).
class TensorToFrameOp : public GpuOp {
public:
    TensorToFrameOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* tensor, model::Shape shape,
                    int validW, int validH, vk::Buffer* original, const FrameGeometry& originalGeometry,
                    vk::Buffer* lumaMeans, vk::Buffer* result, const FrameGeometry& output);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    std::uint32_t descriptorBuffers() const override { return 4; }
    // Takes effect at the next record(): push constants live in the command buffer.
    void setLook(const OutputLook& look);

private:
    vk::Buffer *tensor_, *original_, *lumaMeans_, *result_;
    const vk::Pipeline* pipeline_ = nullptr;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    struct Push {
        std::int32_t tensorW, validW, validH, origW, origH, dstW, dstH;
        float scale[3], bias[3];
        float strength;
        std::int32_t preserveColour;
        float sceneLight;
    } push_;
};

}  // namespace stylize::render
