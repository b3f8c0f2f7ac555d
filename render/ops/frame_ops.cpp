// FrameToTensorOp and TensorToFrameOp.
#include "ops/frame_ops.h"

#include <algorithm>

#include "vk/error.h"

namespace stylize::render {
namespace {
constexpr int kLocal = 8;
std::uint32_t divUp(int a, int b) { return static_cast<std::uint32_t>((a + b - 1) / b); }
std::int32_t matrixId(const ColorSpace& c) { return c.matrix == ColorMatrix::Bt601 ? 0 : 1; }
std::int32_t rangeId(const ColorSpace& c) { return c.range == ColorRange::Limited ? 0 : 1; }
}  // namespace

FrameToTensorOp::FrameToTensorOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* frame,
                                 const FrameGeometry& geometry, vk::Buffer* tensor, int dstW, int dstH)
    : frame_(frame), tensor_(tensor)
{
    push_ = {geometry.width, geometry.height, dstW, dstH, {}, {}};
    std::copy(std::begin(mapping.inScale), std::end(mapping.inScale), push_.scale);
    std::copy(std::begin(mapping.inBias), std::end(mapping.inBias), push_.bias);
    const std::int32_t spec[] = {kLocal, kLocal, static_cast<std::int32_t>(geometry.layout),
                                 matrixId(geometry.color), rangeId(geometry.color)};
    pipeline_ = &res.pipelines.get("frame_to_tensor", 2, sizeof(Push), spec);
}

void FrameToTensorOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {frame_, tensor_};
    set_ = sets.make(*pipeline_, buffers);
}

void FrameToTensorOp::record(vk::CommandRecorder& recorder)
{
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), divUp(push_.dstW, kLocal), divUp(push_.dstH, kLocal),
                      1, {frame_}, {tensor_}, "frame to tensor");
}

TensorToFrameOp::TensorToFrameOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* tensor,
                                 model::Shape shape, int validW, int validH, vk::Buffer* original,
                                 const FrameGeometry& originalGeometry, vk::Buffer* lumaMeans, vk::Buffer* result,
                                 const FrameGeometry& output)
    : tensor_(tensor), original_(original), lumaMeans_(lumaMeans), result_(result)
{
    if (output.layout == PixelLayout::Yuyv422)
        throw vk::VulkanError("Frames can be produced as RGBA8, YUV420P or NV12, not YUYV422");
    push_ = {
        shape.w, validW, validH, originalGeometry.width, originalGeometry.height, output.width, output.height, {}, {},
        1.f,     0,      0.f};
    std::copy(std::begin(mapping.outScale), std::end(mapping.outScale), push_.scale);
    std::copy(std::begin(mapping.outBias), std::end(mapping.outBias), push_.bias);
    const std::int32_t spec[] = {kLocal,
                                 kLocal,
                                 static_cast<std::int32_t>(originalGeometry.layout),
                                 matrixId(originalGeometry.color),
                                 rangeId(originalGeometry.color),
                                 static_cast<std::int32_t>(output.layout),
                                 matrixId(output.color),
                                 rangeId(output.color)};
    pipeline_ = &res.pipelines.get("tensor_to_frame", 4, sizeof(Push), spec);
}

void TensorToFrameOp::setLook(const OutputLook& look)
{
    push_.strength = std::clamp(look.strength, 0.f, 1.f);
    push_.preserveColour = look.preserveColours ? 1 : 0;
    push_.sceneLight = std::clamp(look.sceneLight, 0.f, 1.f);
}

void TensorToFrameOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {tensor_, original_, result_, lumaMeans_};
    set_ = sets.make(*pipeline_, buffers);
}

void TensorToFrameOp::record(vk::CommandRecorder& recorder)
{
    // One invocation per 8x2 block of output pixels.
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), divUp(divUp(push_.dstW, 8), kLocal),
                      divUp(divUp(push_.dstH, 2), kLocal), 1, {tensor_, original_, lumaMeans_}, {result_},
                      "tensor to frame");
}

}  // namespace stylize::render
