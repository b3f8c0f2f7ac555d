// A model compiled for one processing size: fused steps, buffers planned by liveness
// and reused, GPU ops ready to be recorded into a command buffer.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::render {

class InstanceNormOp;

// One unit of GPU work after fusion, for inspection and tests.
struct PlannedStep {
    std::string label;      // e.g. "conv 'conv1' + IN + ReLU"
    std::vector<int> nodes; // model node indices this step covers
};

class Network {
public:
    // Builds ops for an input of height x width. The arenas are allocated by the caller
    // after construction (and after adding its own buffers), then prepare() is called.
    // keepAllTensors: every tensor gets its own buffer (no reuse) so each can be read
    // back after a run: the debug mode that checks every op against the CPU reference.
    Network(OpResources& res, const model::Model& model, int height, int width, bool keepAllTensors = false);
    ~Network();
    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    void prepare(vk::DescriptorSets& sets);
    void record(vk::CommandRecorder& recorder);
    // The ops one at a time (a CPU driver's first run: Stylizer's warm-up).
    std::size_t opCount() const { return ops_.size(); }
    void recordOp(std::size_t index, vk::CommandRecorder& recorder) { ops_.at(index)->record(recorder); }
    void setStyleWeights(std::span<const float> weights);

    vk::Buffer* input() const { return input_; }
    vk::Buffer* output() const { return output_; }
    model::Shape inputShape() const { return shapes_.front(); }
    model::Shape outputShape() const { return shapes_[model_.output]; }
    const std::vector<model::Shape>& shapes() const { return shapes_; }
    // The buffer holding tensor t, or null if fusion kept it in registers. With buffer
    // reuse its contents after a run belong to whichever tensor used the slot last.
    vk::Buffer* tensorBuffer(model::TensorId t) const { return tensorBuffers_[t]; }
    const std::vector<PlannedStep>& steps() const { return steps_; }
    std::uint64_t tensorBytes() const { return tensorBytes_; }  // after buffer reuse
    std::uint32_t descriptorSets() const;
    std::uint32_t descriptorBuffers() const;

private:
    const model::Model& model_;
    std::vector<model::Shape> shapes_;
    std::vector<std::unique_ptr<GpuOp>> ops_;
    std::vector<InstanceNormOp*> norms_;
    std::vector<PlannedStep> steps_;
    std::vector<vk::Buffer*> tensorBuffers_;
    vk::Buffer* input_ = nullptr;
    vk::Buffer* output_ = nullptr;
    std::uint64_t tensorBytes_ = 0;
};

}  // namespace stylize::render
