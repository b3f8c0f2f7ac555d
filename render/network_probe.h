// Runs a network on float tensors (no images) and reads any tensor back: what op tests
// and the whole-network debug check use to compare the GPU with the CPU reference.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "model/model.h"
#include "ops/gpu_op.h"

namespace stylize::vk {
class Context;
}

namespace stylize::render {

class NetworkProbe {
public:
    // keepAllTensors: see Network; needed to read intermediate tensors.
    NetworkProbe(vk::Context& context, const model::Model& model, int height, int width, Precision precision,
                 bool keepAllTensors = true);
    ~NetworkProbe();

    void setStyleWeights(std::span<const float> weights);
    // input: CHW floats of the model's input shape. Returns the output tensor, CHW.
    std::vector<float> run(std::span<const float> input);
    // Tensor t of the last run (CHW), or nothing if fusion never materialized it.
    std::optional<std::vector<float>> tensor(model::TensorId t);
    const std::vector<model::Shape>& shapes() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Channel packing between CHW floats and the engine's [c/4][h][w][4] storage.
std::vector<std::uint8_t> packTensor(std::span<const float> chw, model::Shape shape, Precision precision);
std::vector<float> unpackTensor(const std::uint8_t* packed, model::Shape shape, Precision precision);

}  // namespace stylize::render
