// LumaMeanOp: shaders/luma_mean.comp, slice sums then their total, for each image.
#include "ops/luma_mean_op.h"

#include <algorithm>
#include <string>

namespace stylize::render {
namespace {
constexpr int kLocal = 256;
}

LumaMeanOp::LumaMeanOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
                       vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* means)
    : input_(input), output_(output), means_(means)
{
    const int pixels = validW * validH;
    const int slices = std::clamp((pixels + kSlicePixels - 1) / kSlicePixels, 1, kMaxSlices);
    const int chunk = (pixels + slices - 1) / slices;
    push_ = {0, 0, slices, chunk, kMaxSlices, inputShape.w, outputShape.w, validW, validH, {}, {}, {}, {}};
    for (int c = 0; c < 3; ++c) {
        // The input mapping x = p * scale + bias, undone; a zero scale (no model has one)
        // would leave nothing to undo, so it reads as black.
        const float scale = mapping.inScale[c];
        push_.inMul[c] = scale != 0.f ? 1.f / scale : 0.f;
        push_.inAdd[c] = scale != 0.f ? -mapping.inBias[c] / scale : 0.f;
        push_.outMul[c] = mapping.outScale[c];
        push_.outAdd[c] = mapping.outBias[c];
    }
    const std::int32_t spec[] = {kLocal};
    pipeline_ = &res.pipelines.get("luma_mean", 3, sizeof(Push), spec);
}

void LumaMeanOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, output_, means_};
    set_ = sets.make(*pipeline_, buffers);
}

void LumaMeanOp::recordMean(vk::CommandRecorder& recorder, int which, vk::Buffer* image, const char* label)
{
    const std::string name(label);
    push_.which = which;
    push_.stage = 0;
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), std::uint32_t(push_.slices), 1, 1, {image}, {means_},
                      name + " slices");
    // The total reads the slices' sums the first stage wrote: the recorder's barrier.
    push_.stage = 1;
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), 1, 1, 1, {means_}, {means_}, name + " total");
}

void LumaMeanOp::record(vk::CommandRecorder& recorder)
{
    recordMean(recorder, 0, input_, "scene luma");
}

void LumaMeanOp::recordOutput(vk::CommandRecorder& recorder)
{
    recordMean(recorder, 1, output_, "stylized luma");
}

}  // namespace stylize::render
