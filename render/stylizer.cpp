// Stylizer: owns the per-size plan (network, image ops, buffers, recorded commands).
#include "stylizer.h"

#include <cstring>
#include <numeric>

#include "network.h"
#include "vk/context.h"
#include "vk/error.h"

namespace stylize::render {

struct Stylizer::Plan {
    Plan(vk::Context& context, const model::Model& model, Precision precision, bool timestamps, Size frame,
         Size processing, Size output)
        : frame(frame), processing(processing), output(output), pipelines(context, precisionName(precision)),
          deviceArena(context, vk::MemoryKind::Device), hostArena(context, vk::MemoryKind::Upload),
          uploadArena(context, vk::MemoryKind::Upload), readbackArena(context, vk::MemoryKind::Readback),
          res{context, pipelines, deviceArena, hostArena, precision},
          network(res, model, processing.height, processing.width), recorder(context, timestamps)
    {
        const auto bytes = [](Size s) { return std::uint64_t(s.width) * std::uint64_t(s.height) * 4; };
        frameBuffer = uploadArena.add(bytes(frame), "frame");
        resultBuffer = readbackArena.add(bytes(output), "result");
        toTensor = std::make_unique<ImageToTensorOp>(res, model.mapping, frameBuffer, frame.width, frame.height,
                                                     network.input(), processing.width, processing.height);
        toImage = std::make_unique<TensorToImageOp>(res, model.mapping, network.output(), network.outputShape(),
                                                    processing.width, processing.height, frameBuffer, frame.width,
                                                    frame.height, resultBuffer, output.width, output.height);
        deviceArena.allocate();
        hostArena.allocate();
        uploadArena.allocate();
        readbackArena.allocate();
        sets = std::make_unique<vk::DescriptorSets>(context, network.descriptorSets() + 2,
                                                    network.descriptorBuffers() + 5);
        network.prepare(*sets);
        toTensor->prepare(*sets);
        toImage->prepare(*sets);
    }

    void record(const OutputLook& look)
    {
        toImage->setLook(look);
        recorder.begin();
        toTensor->record(recorder);
        network.record(recorder);
        toImage->record(recorder);
        recorder.end();
        recordedLook = look;
    }

    Size frame, processing, output;
    vk::PipelineCache pipelines;
    vk::BufferArena deviceArena, hostArena, uploadArena, readbackArena;
    OpResources res;
    Network network;
    vk::CommandRecorder recorder;
    vk::Buffer* frameBuffer = nullptr;
    vk::Buffer* resultBuffer = nullptr;
    std::unique_ptr<ImageToTensorOp> toTensor;
    std::unique_ptr<TensorToImageOp> toImage;
    std::unique_ptr<vk::DescriptorSets> sets;
    std::optional<OutputLook> recordedLook;
};

Stylizer::Stylizer(vk::Context& context, model::Model model, StylizerOptions options)
    : context_(context), model_(std::move(model)), options_(options)
{
    model::validate(model_);
    precision_ = options.precision.value_or(context.info().fp16Storage ? Precision::Fp16Storage : Precision::Fp32);
    if (precision_ == Precision::Fp16Storage && !context.info().fp16Storage)
        throw vk::VulkanError("Vulkan device '" + context.info().name +
                              "' has no 16-bit storage: use fp32 precision");
    weights_.assign(model_.styleCount(), 0.f);
    weights_[0] = 1.f;
}

Stylizer::~Stylizer() = default;

void Stylizer::setStyleWeights(std::span<const float> weights)
{
    if (static_cast<int>(weights.size()) != model_.styleCount())
        throw std::invalid_argument("Model '" + model_.name + "' has " + std::to_string(model_.styleCount()) +
                                    " styles, but " + std::to_string(weights.size()) + " weights were given");
    for (float w : weights)
        if (!(w >= 0.f))
            throw std::invalid_argument("Style weights must be zero or positive");
    const float sum = std::accumulate(weights.begin(), weights.end(), 0.f);
    for (std::size_t i = 0; i < weights.size(); ++i)
        weights_[i] = sum > 0.f ? weights[i] / sum : (i == 0 ? 1.f : 0.f);
    if (plan_)
        plan_->network.setStyleWeights(weights_);
}

void Stylizer::setLook(const OutputLook& look) { look_ = look; }

void Stylizer::rebuild(Size frame, Size processing, Size output)
{
    plan_.reset();  // free the old plan's memory before allocating the new one
    plan_ = std::make_unique<Plan>(context_, model_, precision_, options_.timestamps, frame, processing, output);
    plan_->network.setStyleWeights(weights_);
}

void Stylizer::run(ImageView frame, Size processing, Size output, Image& result)
{
    if (frame.width <= 0 || frame.height <= 0 || !frame.rgba)
        throw std::invalid_argument("Empty frame given to the stylizer");
    if (processing.empty())
        processing = frame.size();
    if (output.empty())
        output = frame.size();
    if (!plan_ || plan_->frame != frame.size() || plan_->processing != processing || plan_->output != output)
        rebuild(frame.size(), processing, output);
    if (plan_->recordedLook != look_)
        plan_->record(look_);

    std::memcpy(plan_->frameBuffer->mapped(), frame.rgba, std::size_t(frame.width) * frame.height * 4);
    plan_->recorder.submitAndWait();
    result.width = output.width;
    result.height = output.height;
    result.rgba.resize(std::size_t(output.width) * output.height * 4);
    std::memcpy(result.rgba.data(), plan_->resultBuffer->mapped(), result.rgba.size());
}

std::vector<vk::OpTiming> Stylizer::lastTimings() const
{
    return plan_ ? plan_->recorder.timings() : std::vector<vk::OpTiming>{};
}

std::uint64_t Stylizer::deviceBytes() const
{
    return plan_ ? plan_->deviceArena.bytes() + plan_->hostArena.bytes() : 0;
}

}  // namespace stylize::render
