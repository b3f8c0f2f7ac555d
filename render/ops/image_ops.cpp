// ImageToTensorOp and TensorToImageOp.
#include "ops/image_ops.h"

#include <algorithm>

namespace stylize::render {
namespace {
constexpr int kLocal = 8;
std::uint32_t divUp(int a, int b) { return static_cast<std::uint32_t>((a + b - 1) / b); }
}  // namespace

ImageToTensorOp::ImageToTensorOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* image, int srcW,
                                 int srcH, vk::Buffer* tensor, int dstW, int dstH)
    : image_(image), tensor_(tensor)
{
    push_ = {srcW, srcH, dstW, dstH, {}, {}};
    std::copy(std::begin(mapping.inScale), std::end(mapping.inScale), push_.scale);
    std::copy(std::begin(mapping.inBias), std::end(mapping.inBias), push_.bias);
    const std::int32_t spec[] = {kLocal, kLocal};
    pipeline_ = &res.pipelines.get("image_to_tensor", 2, sizeof(Push), spec);
}

void ImageToTensorOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {image_, tensor_};
    set_ = sets.make(*pipeline_, buffers);
}

void ImageToTensorOp::record(vk::CommandRecorder& recorder)
{
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), divUp(push_.dstW, kLocal), divUp(push_.dstH, kLocal),
                      1, {image_}, {tensor_}, "image to tensor");
}

TensorToImageOp::TensorToImageOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* tensor,
                                 model::Shape shape, int validW, int validH, vk::Buffer* original, int origW,
                                 int origH, vk::Buffer* image, int dstW, int dstH)
    : tensor_(tensor), original_(original), image_(image)
{
    push_ = {shape.w, validW, validH, origW, origH, dstW, dstH, {}, {}, 1.f, 0};
    std::copy(std::begin(mapping.outScale), std::end(mapping.outScale), push_.scale);
    std::copy(std::begin(mapping.outBias), std::end(mapping.outBias), push_.bias);
    const std::int32_t spec[] = {kLocal, kLocal};
    pipeline_ = &res.pipelines.get("tensor_to_image", 3, sizeof(Push), spec);
}

void TensorToImageOp::setLook(const OutputLook& look)
{
    push_.strength = std::clamp(look.strength, 0.f, 1.f);
    push_.preserveColour = look.preserveColours ? 1 : 0;
}

void TensorToImageOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {tensor_, original_, image_};
    set_ = sets.make(*pipeline_, buffers);
}

void TensorToImageOp::record(vk::CommandRecorder& recorder)
{
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), divUp(push_.dstW, kLocal), divUp(push_.dstH, kLocal),
                      1, {tensor_, original_}, {image_}, "tensor to image");
}

}  // namespace stylize::render
