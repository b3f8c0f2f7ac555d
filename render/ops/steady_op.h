// SteadyOp: OutputLook::steady, a temporal filter on the network's output that keeps a
// still scene's strokes from flickering with its sensor noise (shaders/steady.comp).
// record() compares the scene with the previous frame's: record it before the network,
// whose later layers reuse the input's buffer; recordOutput() after the network mixes the
// output with its history and writes the result back into the output tensor, where the
// output ops read it.
#pragma once

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

class SteadyOp : public GpuOp {
public:
    // `state` (stateBytes(validW, validH), the plan's: previous scene luma, its change,
    // the history) is shared by the flights; `reset` (kResetBytes, a flight's, host
    // written) holds a non-zero uint while the frame must forget the past (the first
    // one of a plan, or after frames without steady). Both tensors' top-left
    // validW x validH is the image.
    SteadyOp(OpResources& res, const model::ImageMapping& mapping, vk::Buffer* input, model::Shape inputShape,
             vk::Buffer* output, model::Shape outputShape, int validW, int validH, vk::Buffer* state,
             vk::Buffer* reset);
    void prepare(vk::DescriptorSets& sets) override;
    void record(vk::CommandRecorder& recorder) override;
    void recordOutput(vk::CommandRecorder& recorder);
    std::uint32_t descriptorSets() const override { return 3; }
    std::uint32_t descriptorBuffers() const override { return 3 * 4; }
    // Takes effect at the next recordOutput(): push constants live in the command buffer.
    // 0..1: how much of its past a still pixel keeps (OutputLook::steady).
    void setSteady(float steady);
    // The share of its past a still pixel keeps at steady 1.
    static constexpr float kMaxKeep = 0.9f;
    static std::uint64_t stateBytes(int validW, int validH) { return std::uint64_t(validW) * validH * 6 * 4; }
    static constexpr std::uint64_t kResetBytes = 16;

private:
    vk::Buffer *input_, *output_, *state_, *reset_;
    const vk::Pipeline* pipelines_[3] = {};  // stage 0 (scene change), 1 (mix), 2 (result)
    VkDescriptorSet sets_[3] = {};
    struct Push {
        std::int32_t inW, outW, validW, validH;
        float keep;
        float inMul[3], inAdd[3];
    } push_;
};

}  // namespace stylize::render
