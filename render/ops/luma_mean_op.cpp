// LumaMeanOp: two one-workgroup dispatches of shaders/luma_mean.comp.
#include "ops/luma_mean_op.h"

namespace stylize::render {
namespace {
constexpr int kLocal = 256;
}

LumaMeanOp::LumaMeanOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
                       vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* means)
    : input_(input), output_(output), means_(means)
{
    push_ = {0, inputShape.w, outputShape.w, validW, validH, {}, {}, {}, {}};
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

void LumaMeanOp::record(vk::CommandRecorder& recorder)
{
    push_.which = 0;
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), 1, 1, 1, {input_}, {means_}, "scene luma");
}

void LumaMeanOp::recordOutput(vk::CommandRecorder& recorder)
{
    push_.which = 1;
    recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), 1, 1, 1, {output_}, {means_}, "stylized luma");
}

}  // namespace stylize::render
