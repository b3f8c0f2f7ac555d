// SteadyOp: OutputLook::steady, a motion-compensated temporal filter on the network's
// output that keeps a scene's strokes from flickering with its sensor noise
// (shaders/steady.comp). record() keeps the scene's luma: record it before the network,
// whose later layers reuse the input's buffer; recordOutput() after the network finds
// each 8x8 tile's motion since the last frame, mixes the output with its history followed
// along that motion, and writes the result back into the output tensor, where the output
// ops read it.
#pragma once

#include <algorithm>

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

class SteadyOp : public GpuOp {
public:
    // `state` (stateBytes(validW, validH), the plan's: the last and this frame's scene
    // luma, the history, the next history, the tiles' motion, the last and this frame's
    // 2x2 and 4x4 luma means) is shared by the flights; `reset` (kResetBytes, a flight's, host
    // written) holds a non-zero uint while the frame must forget the past (the first
    // one of a plan, or after frames without steady). Both tensors' top-left
    // validW x validH is the image.
    SteadyOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
             vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* state,
             vk::Buffer* reset);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    void recordOutput(vk::CommandRecorder& recorder);
    std::uint32_t descriptorSets() const override { return kStages; }
    std::uint32_t descriptorBuffers() const override { return kStages * 4; }
    // Takes effect at the next recordOutput(): push constants live in the command buffer.
    // 0..1: how much of its past a still pixel keeps (OutputLook::steady).
    void setSteady(float steady);
    // The share of its past a still pixel keeps at steady 1.
    static constexpr float kMaxKeep = 0.9f;
    // The motion search's tile (steady.comp's TILE).
    static constexpr int kTile = 8;
    // The search's radius on its 4x4 level, in blocks: a tile is followed up to
    // 4 * radius + 4 pixels of the processing size a frame along x and y (12 at 320x180,
    // 20 at 640x360, 36 at 1280x720 and above), what moves faster is painted anew. A
    // camera's motion in pixels grows with the size; the search's cost with the radius
    // squared.
    static int wideRadius(int validW, int validH) { return std::clamp((std::max(validW, validH) + 159) / 160, 2, 8); }
    static std::uint64_t stateBytes(int validW, int validH)
    {
        const std::uint64_t tiles = std::uint64_t((validW + kTile - 1) / kTile) * ((validH + kTile - 1) / kTile);
        const std::uint64_t blocks = std::uint64_t((validW + 1) / 2) * ((validH + 1) / 2);
        const std::uint64_t blocks4 = std::uint64_t((validW + 3) / 4) * ((validH + 3) / 4);
        return (std::uint64_t(validW) * validH * 10 + tiles * 2 + blocks * 2 + blocks4 * 2) * 4;
    }
    static constexpr std::uint64_t kResetBytes = 16;

private:
    vk::Buffer *input_, *output_, *state_, *reset_;
    static constexpr int kStages = 4;
    const vk::Pipeline* pipelines_[kStages] = {};  // scene luma, motion, mix, result
    VkDescriptorSet sets_[kStages] = {};
    struct Push {
        std::int32_t inW, outW, validW, validH;
        float keep;
        float inMul[3], inAdd[3];
        std::int32_t wideRadius;
    } push_;
};

}  // namespace stylize::render
