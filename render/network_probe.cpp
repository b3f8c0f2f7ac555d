// NetworkProbe: staging uploads/downloads of packed tensors around a Network.
#include "network_probe.h"

#include <cstring>

#include "network.h"
#include "vk/context.h"
#include "vk/error.h"

namespace stylize::render {

std::vector<std::uint8_t> packTensor(std::span<const float> chw, model::Shape shape, Precision precision)
{
    const std::size_t plane = std::size_t(shape.h) * shape.w;
    const bool half = precision == Precision::Fp16Storage;
    const std::size_t element = half ? 2 : 4;
    std::vector<std::uint8_t> out(tensorBytes(shape.c, shape.h, shape.w, precision), 0);
    for (int c = 0; c < shape.c; ++c)
        for (std::size_t i = 0; i < plane; ++i) {
            const float v = chw[c * plane + i];
            const std::size_t at = ((std::size_t(c / 4) * plane + i) * 4 + c % 4) * element;
            if (half) {
                const std::uint16_t h = floatToHalf(v);
                std::memcpy(&out[at], &h, 2);
            } else {
                std::memcpy(&out[at], &v, 4);
            }
        }
    return out;
}

std::vector<float> unpackTensor(const std::uint8_t* packed, model::Shape shape, Precision precision)
{
    const std::size_t plane = std::size_t(shape.h) * shape.w;
    const bool half = precision == Precision::Fp16Storage;
    const std::size_t element = half ? 2 : 4;
    std::vector<float> out(std::size_t(shape.c) * plane);
    for (int c = 0; c < shape.c; ++c)
        for (std::size_t i = 0; i < plane; ++i) {
            const std::size_t at = ((std::size_t(c / 4) * plane + i) * 4 + c % 4) * element;
            if (half) {
                std::uint16_t h;
                std::memcpy(&h, packed + at, 2);
                out[c * plane + i] = halfToFloat(h);
            } else {
                std::memcpy(&out[c * plane + i], packed + at, 4);
            }
        }
    return out;
}

struct NetworkProbe::State {
    State(vk::Context& context, const model::Model& model, int h, int w, Precision precision, bool keepAll)
        : context(context), precision(precision), pipelines(context, precisionName(precision)),
          deviceArena(context, vk::MemoryKind::Device), hostArena(context, vk::MemoryKind::Upload),
          res{context, pipelines, deviceArena, hostArena, precision}, network(res, model, h, w, keepAll),
          output(model.output)
    {
        deviceArena.allocate();
        hostArena.allocate();
        sets = std::make_unique<vk::DescriptorSets>(context, network.descriptorSets(), network.descriptorBuffers());
        network.prepare(*sets);
    }

    // Copies `bytes` from a device buffer through a readback staging buffer.
    std::vector<std::uint8_t> download(vk::Buffer* buffer, std::uint64_t bytes)
    {
        vk::BufferArena staging(context, vk::MemoryKind::Readback);
        vk::Buffer* target = staging.add(bytes, "probe readback");
        staging.allocate();
        vk::CommandRecorder recorder(context, false);
        recorder.begin();
        recorder.copy(buffer, target, bytes, "download");
        recorder.end();
        recorder.submitAndWait();
        const auto* p = static_cast<const std::uint8_t*>(target->mapped());
        return {p, p + bytes};
    }

    vk::Context& context;
    Precision precision;
    vk::PipelineCache pipelines;
    vk::BufferArena deviceArena, hostArena;
    OpResources res;
    Network network;
    model::TensorId output;
    std::unique_ptr<vk::DescriptorSets> sets;
};

NetworkProbe::NetworkProbe(vk::Context& context, const model::Model& model, int height, int width,
                           Precision precision, bool keepAllTensors)
    : state_(std::make_unique<State>(context, model, height, width, precision, keepAllTensors))
{
}

NetworkProbe::~NetworkProbe() = default;

void NetworkProbe::setStyleWeights(std::span<const float> weights) { state_->network.setStyleWeights(weights); }

const std::vector<model::Shape>& NetworkProbe::shapes() const { return state_->network.shapes(); }

std::vector<float> NetworkProbe::run(std::span<const float> input)
{
    State& s = *state_;
    const model::Shape in = s.network.inputShape();
    if (input.size() != std::size_t(in.elements()))
        throw vk::VulkanError("internal: probe input has " + std::to_string(input.size()) + " values, expected " +
                              std::to_string(in.elements()));
    std::vector<std::uint8_t> packed = packTensor(input, in, s.precision);
    vk::BufferArena staging(s.context, vk::MemoryKind::Upload);
    vk::Buffer* source = staging.add(packed.size(), "probe upload");
    staging.allocate();
    std::memcpy(source->mapped(), packed.data(), packed.size());

    vk::CommandRecorder recorder(s.context, false);
    recorder.begin();
    recorder.copy(source, s.network.input(), packed.size(), "upload");
    s.network.record(recorder);
    recorder.end();
    recorder.submitAndWait();
    return *tensor(s.output);
}

std::optional<std::vector<float>> NetworkProbe::tensor(model::TensorId t)
{
    State& s = *state_;
    vk::Buffer* buffer = s.network.tensorBuffer(t);
    if (!buffer)
        return std::nullopt;
    const model::Shape shape = s.network.shapes()[t];
    std::vector<std::uint8_t> bytes = s.download(buffer, tensorBytes(shape.c, shape.h, shape.w, s.precision));
    return unpackTensor(bytes.data(), shape, s.precision);
}

}  // namespace stylize::render
