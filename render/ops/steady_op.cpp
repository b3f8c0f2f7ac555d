// SteadyOp: shaders/steady.comp, the scene's luma before the network, then the tiles'
// motion, the output mixed with its history along it, and the result written back.
#include "ops/steady_op.h"

#include <algorithm>

namespace stylize::render {
namespace {
constexpr int kLocal = 8;
std::uint32_t divUp(int a, int b)
{
    return static_cast<std::uint32_t>((a + b - 1) / b);
}
}  // namespace

SteadyOp::SteadyOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
                   vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* state,
                   vk::Buffer* reset)
    : input_(input), output_(output), state_(state), reset_(reset)
{
    push_ = {inputShape.w, outputShape.w, validW, validH, 0.f, {}, {}, wideRadius(validW, validH)};
    for (int c = 0; c < 3; ++c) {
        // The input mapping x = p * scale + bias, undone (LumaMeanOp does the same).
        const float scale = mapping.inScale[c];
        push_.inMul[c] = scale != 0.f ? 1.f / scale : 0.f;
        push_.inAdd[c] = scale != 0.f ? -mapping.inBias[c] / scale : 0.f;
    }
    for (std::int32_t stage = 0; stage < kStages; ++stage) {
        const std::int32_t spec[] = {kLocal, kLocal, stage};
        pipelines_[stage] = &res.pipelines.get("steady", 4, sizeof(Push), spec);
    }
}

void SteadyOp::setSteady(float steady)
{
    push_.keep = std::clamp(steady, 0.f, 1.f) * kMaxKeep;
}

void SteadyOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, output_, state_, reset_};
    for (int stage = 0; stage < kStages; ++stage)
        sets_[stage] = sets.make(*pipelines_[stage], buffers);
}

void SteadyOp::record(vk::CommandRecorder& recorder)
{
    recorder.dispatch(*pipelines_[0], sets_[0], &push_, sizeof(push_), divUp(push_.validW, kLocal),
                      divUp(push_.validH, kLocal), 1, {input_}, {state_}, "steady: scene luma");
}

void SteadyOp::recordOutput(vk::CommandRecorder& recorder)
{
    const std::uint32_t gx = divUp(push_.validW, kLocal), gy = divUp(push_.validH, kLocal);
    // One invocation per tile.
    const int tilesX = (push_.validW + kTile - 1) / kTile, tilesY = (push_.validH + kTile - 1) / kTile;
    recorder.dispatch(*pipelines_[1], sets_[1], &push_, sizeof(push_), divUp(tilesX, kLocal), divUp(tilesY, kLocal), 1,
                      {state_}, {state_}, "steady: motion");
    recorder.dispatch(*pipelines_[2], sets_[2], &push_, sizeof(push_), gx, gy, 1, {output_, state_, reset_}, {state_},
                      "steady: mix");
    // The output, the history and the last luma are rewritten only once every pixel has
    // read its neighbours': the recorder's barrier.
    recorder.dispatch(*pipelines_[3], sets_[3], &push_, sizeof(push_), gx, gy, 1, {state_}, {output_, state_},
                      "steady: result");
}

}  // namespace stylize::render
