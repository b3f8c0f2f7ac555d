// Stylizer: owns the per-size plan (network, image ops, buffers, recorded commands).
#include "stylizer.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <numeric>
#include <stdexcept>

#include "frame_layout.h"
#include "network.h"
#include "ops/luma_mean_op.h"
#include "ops/steady_op.h"
#include "ops/weight_store.h"
#include "vk/context.h"
#include "vk/error.h"
#include "vk/host_buffer.h"

namespace stylize::render {

struct Stylizer::Plan {
    Plan(vk::Context& context, vk::PipelineCache& pipelines, WeightStore& weights, const model::Model& model,
         Precision precision, bool timestamps, const FrameGeometry& frame, Size processing,
         const FrameGeometry& output)
        : frame(key(frame)), processing(processing), output(key(output)),
          deviceArena(context, vk::MemoryKind::Device), hostArena(context, vk::MemoryKind::Upload),
          res{context, pipelines, deviceArena, hostArena, precision, &weights},
          network(res, model, processing.height, processing.width)
    {
        lumaMeans = deviceArena.add(LumaMeanOp::kMeansBytes, "luma means");
        lumaMean.emplace(res, model.mapping, network.input(), network.inputShape(), network.output(),
                         network.outputShape(), processing.width, processing.height, lumaMeans);
        steadyState = deviceArena.add(SteadyOp::stateBytes(processing.width, processing.height), "steady history");
        deviceArena.allocate();
        hostArena.allocate();
        weights.allocate();
        sets = std::make_unique<vk::DescriptorSets>(context, network.descriptorSets() + 1,
                                                    network.descriptorBuffers() + lumaMean->descriptorBuffers());
        network.prepare(*sets);
        lumaMean->prepare(*sets);
        main.emplace(context, *this, model, timestamps, "");
    }

    struct SharedSlot;
    // A frame's way through the plan: its upload and readback buffers, the input and
    // output ops around the shared network, and their commands. run() uses the plan's
    // main one; each frame in flight (Stylizer::submit) has one of its own.
    struct Flight {
        Flight(vk::Context& context, Plan& plan, const model::Model& model, bool timestamps, const std::string& name)
            : upload(context, vk::MemoryKind::Upload), readback(context, vk::MemoryKind::Readback)
        {
            const FrameGeometry& in = plan.frame;
            const FrameGeometry& out = plan.output;
            frame = upload.add(gpuFramePlanes(in.layout, in.width, in.height).bytes, "frame" + name);
            steadyReset = upload.add(SteadyOp::kResetBytes, "steady reset" + name);
            result = readback.add(gpuFramePlanes(out.layout, out.width, out.height).bytes, "result" + name);
            upload.allocate();
            readback.allocate();
            toTensor = std::make_unique<FrameToTensorOp>(plan.res, model.mapping, frame, in, plan.network.input(),
                                                         plan.processing.width, plan.processing.height);
            toImage = std::make_unique<TensorToFrameOp>(plan.res, model.mapping, plan.network.output(),
                                                        plan.network.outputShape(), plan.processing.width,
                                                        plan.processing.height, frame, in, plan.lumaMeans, result, out);
            steady = std::make_unique<SteadyOp>(plan.res, model.mapping, plan.network.input(),
                                                plan.network.inputShape(), plan.network.output(),
                                                plan.network.outputShape(), plan.processing.width,
                                                plan.processing.height, plan.steadyState, steadyReset);
            sets = std::make_unique<vk::DescriptorSets>(
                context, 2 + steady->descriptorSets(),
                toTensor->descriptorBuffers() + toImage->descriptorBuffers() + steady->descriptorBuffers());
            toTensor->prepare(*sets);
            toImage->prepare(*sets);
            steady->prepare(*sets);
            recorder = std::make_unique<vk::CommandRecorder>(context, timestamps);
        }
        vk::BufferArena upload, readback;
        vk::Buffer* frame = nullptr;
        vk::Buffer* result = nullptr;
        vk::Buffer* steadyReset = nullptr;  // SteadyOp's flag, written before each submission of this flight
        std::unique_ptr<FrameToTensorOp> toTensor;
        std::unique_ptr<TensorToFrameOp> toImage;
        std::unique_ptr<SteadyOp> steady;  // recorded only for a look with steady
        std::unique_ptr<vk::DescriptorSets> sets;
        std::optional<OutputLook> recordedLook;
        MutableFrameView output;  // in flight: where collect() writes this frame
        bool shared = false;      // in flight: submitShared(), collected by collectShared()
        SharedSlot* slot = nullptr;  // submitShared() into this slot: its commands read `frame`
        std::unique_ptr<vk::CommandRecorder> recorder;  // last: waits for its work first
    };

    // A result buffer in host memory the caller can keep (runShared, submitShared), with
    // its own output op and commands; it belongs to one flight (main for runShared) and
    // reads that flight's frame buffer.
    struct SharedSlot {
        Flight* owner = nullptr;
        bool inFlight = false;  // submitted by submitShared, not yet collected
        std::unique_ptr<vk::HostBuffer> host;
        std::unique_ptr<vk::DescriptorSets> sets;
        std::unique_ptr<TensorToFrameOp> toImage;
        std::optional<OutputLook> recordedLook;
        std::unique_ptr<vk::CommandRecorder> recorder;  // last: waits for its work first
    };
    static constexpr std::size_t kSharedSlots = 4;

    // Records `owner`'s input op, the network and `output` into `commands` unless they
    // hold that already (`recorded` says what look they were recorded with), and sets
    // `owner`'s steady flag for the frame about to be submitted.
    void record(vk::CommandRecorder& commands, Flight& owner, TensorToFrameOp& output,
                std::optional<OutputLook>& recorded, const OutputLook& look)
    {
        armSteady(owner, look);
        if (recorded == look)
            return;
        output.setLook(look);
        owner.steady->setSteady(look.steady);
        commands.begin();
        owner.toTensor->record(commands);
        if (look.steady > 0.f)
            owner.steady->record(commands);
        if (look.sceneLight > 0.f)
            lumaMean->record(commands);
        network.record(commands);
        if (look.steady > 0.f)
            owner.steady->recordOutput(commands);
        if (look.sceneLight > 0.f)
            lumaMean->recordOutput(commands);
        output.record(commands);
        commands.end();
        recorded = look;
    }
    void record(Flight& f, const OutputLook& look) { record(*f.recorder, f, *f.toImage, f.recordedLook, look); }

    // The frames of a plan reach the device in the order they are recorded for: the
    // first with steady after a plan is made, or after frames without it, forgets the
    // history (which holds nothing, or a scene long gone). The flag is the flight's own,
    // so a frame in flight keeps what it was given.
    void armSteady(Flight& f, const OutputLook& look)
    {
        const std::uint32_t reset = steadyPrimed ? 0u : 1u;
        std::memcpy(f.steadyReset->mapped(), &reset, sizeof reset);
        steadyPrimed = look.steady > 0.f;
    }

    // A flight not submitted and not running, nor read by a slot's commands still running
    // (made on first need, up to kFramesInFlight); a frame that timed out keeps its
    // flight until it finishes.
    Flight& freeFlight(vk::Context& context, const model::Model& model, bool timestamps)
    {
        const auto readByRunningSlot = [&](const Flight& f) {
            return std::any_of(slots.begin(), slots.end(),
                               [&](SharedSlot& s) { return s.owner == &f && s.recorder->stillRunning(); });
        };
        for (Flight& f : flights)
            if (std::find(submitted.begin(), submitted.end(), &f) == submitted.end() && !f.recorder->stillRunning() &&
                !readByRunningSlot(f))
                return f;
        if (flights.size() >= kFramesInFlight)
            throw vk::VulkanError("Vulkan device '" + context.info().name +
                                  "' has not finished earlier frames: it may be hung; restart the app");
        return flights.emplace_back(context, *this, model, timestamps, " in flight " + std::to_string(flights.size() + 1));
    }

    // A free flight holding `frame`, not yet recorded into a slot.
    Flight& takeFlight(vk::Context& context, const model::Model& model, bool timestamps, const FrameView& frame)
    {
        Flight& f = freeFlight(context, model, timestamps);
        copyToGpuLayout(frame, static_cast<std::uint8_t*>(f.frame->mapped()));
        f.slot = nullptr;
        return f;
    }

    // CPU drivers compile each pipeline at its first dispatch: the first run of a plan
    // would compile the whole network inside one submission, which nothing can stop.
    // This runs the ops that dispatch a pipeline new to the device one submission each
    // (ops whose pipelines ran before are skipped), stopping between them once `cache`
    // is cancelled.
    void warmUp(vk::Context& context, const vk::PipelineCache& cache,
                const std::function<void(std::size_t, std::size_t)>& progress)
    {
        vk::CommandRecorder commands(context, false);
        commands.recordSingleWorkgroups(true);  // compiles are the point, not the pixels
        const std::size_t total = network.opCount() + 3;  // with the frame conversions and steady
        for (std::size_t i = 0; i < total; ++i) {
            commands.begin();
            if (i == 0)
                main->toTensor->record(commands);
            else if (i == 1) {  // its three stages' pipelines
                main->steady->record(commands);
                main->steady->recordOutput(commands);
            }
            else if (i + 1 == total)
                main->toImage->record(commands);
            else
                network.recordOp(i - 2, commands);
            commands.end();
            if (!commands.runsNewPipelines())
                continue;
            if (cache.cancelled())
                throw vk::Cancelled();
            commands.submitAndWait();
            if (progress)
                progress(i + 1, total);
        }
    }

    // A slot of `owner` no one holds, made on first need (up to kSharedSlots a flight);
    // null when the device cannot import host memory or every slot is still held.
    SharedSlot* freeSlot(vk::Context& context, const model::Model& model, bool timestamps, Flight& owner)
    {
        if (importUnavailable)
            return nullptr;
        std::size_t owned = 0;
        for (SharedSlot& slot : slots) {
            if (slot.owner != &owner)
                continue;
            ++owned;
            if (!slot.host->held() && !slot.inFlight && !slot.recorder->stillRunning())  // a timed-out frame's slot: once done
                return &slot;
        }
        if (owned >= kSharedSlots)
            return nullptr;
        SharedSlot slot;
        slot.owner = &owner;
        slot.host = vk::HostBuffer::create(context, gpuFramePlanes(output.layout, output.width, output.height).bytes,
                                           "shared result " + std::to_string(slots.size()));
        if (!slot.host) {
            importUnavailable = true;
            return nullptr;
        }
        slot.toImage = std::make_unique<TensorToFrameOp>(res, model.mapping, network.output(), network.outputShape(),
                                                         processing.width, processing.height, owner.frame, frame,
                                                         lumaMeans, slot.host->buffer(), output);
        slot.sets = std::make_unique<vk::DescriptorSets>(context, 1, slot.toImage->descriptorBuffers());
        slot.toImage->prepare(*slot.sets);
        slot.recorder = std::make_unique<vk::CommandRecorder>(context, timestamps);
        return &slots.emplace_back(std::move(slot));
    }

    // A slot whose work is done, handed to `result` (device-written memory); returns its
    // first byte.
    const std::uint8_t* leaseSlot(SharedSlot& slot, SharedFrame& result)
    {
        lastSubmitted = slot.recorder.get();
        result.memory = slot.host->lease();
        result.deviceWritten = true;
        return slot.host->data();
    }

    // What a plan depends on: layout, size and colour space (not pointers or strides).
    static FrameGeometry key(const FrameGeometry& g)
    {
        FrameGeometry k;
        k.layout = g.layout;
        k.width = g.width;
        k.height = g.height;
        k.color = g.layout == PixelLayout::Rgba8 ? ColorSpace{} : g.color;
        return k;
    }

    FrameGeometry frame;
    Size processing;
    FrameGeometry output;
    vk::BufferArena deviceArena, hostArena;
    OpResources res;
    Network network;
    vk::Buffer* lumaMeans = nullptr;           // LumaMeanOp's means and slice sums, read by every output op
    vk::Buffer* steadyState = nullptr;         // SteadyOp's scene luma, its change and the history, every flight's
    // Whether the last frame recorded for submission had steady, so the next one may mix
    // with the history (the thread that calls the stylizer, as every member here).
    bool steadyPrimed = false;
    std::optional<LumaMeanOp> lumaMean;        // recorded only for a look with scene light
    std::unique_ptr<vk::DescriptorSets> sets;  // the network's and lumaMean's
    // Destroyed before the network and buffers their commands use (each recorder waits
    // for its work first); the slots read their flight's frame buffer, so they go first.
    std::optional<Flight> main;
    std::deque<Flight> flights;
    std::deque<SharedSlot> slots;
    std::deque<Flight*> submitted;  // frames in flight, oldest first
    bool importUnavailable = false;
    vk::CommandRecorder* lastSubmitted = nullptr;
};

namespace {

// A shared result's geometry (`keyed`: layout, size, colour space) and the engine's
// tight plane layout, which its strides follow.
GpuFramePlanes sharedLayout(const FrameGeometry& keyed, SharedFrame& result)
{
    const GpuFramePlanes g = gpuFramePlanes(keyed.layout, keyed.width, keyed.height);
    static_cast<FrameGeometry&>(result) = keyed;
    for (int p = 0; p < result.planeCount(); ++p)
        result.strides[p] = int(g.stride[p]);
    return g;
}

// A result left in a readback buffer, copied into new memory the caller keeps.
const std::uint8_t* copyResult(const vk::Buffer& readback, std::size_t bytes, SharedFrame& result)
{
    auto copy = std::shared_ptr<std::uint8_t[]>(new std::uint8_t[bytes]);
    std::memcpy(copy.get(), readback.mapped(), bytes);
    result.memory = copy;
    return copy.get();
}

}  // namespace

Precision Stylizer::defaultPrecision(const vk::Context& context)
{
    return context.info().fp16Storage ? Precision::Fp16Storage : Precision::Fp32;
}

int Stylizer::defaultFramesInFlight(const vk::Context& context)
{
    return context.info().type == VK_PHYSICAL_DEVICE_TYPE_CPU ? 1 : int(kFramesInFlight);
}

Stylizer::Stylizer(vk::Context& context, model::Model model, StylizerOptions options)
    : context_(context), model_(std::move(model)), options_(options)
{
    model::validate(model_);
    if (!options.precision && options.pipelines)  // the shared cache's build
        options.precision = options.pipelines->variant() == precisionName(Precision::Fp16Storage)
                                ? Precision::Fp16Storage
                                : Precision::Fp32;
    precision_ = options.precision.value_or(defaultPrecision(context));
    if (precision_ == Precision::Fp16Storage && !context.info().fp16Storage)
        throw vk::VulkanError("Vulkan device '" + context.info().name +
                              "' has no 16-bit storage: use fp32 precision");
    weights_.assign(model_.styleCount(), 0.f);
    weights_[0] = 1.f;
    pipelines_ = options_.pipelines;
    if (pipelines_ && pipelines_->variant() != precisionName(precision_))
        throw std::invalid_argument("A shared pipeline cache of the " + pipelines_->variant() +
                                    " build cannot serve a stylizer in " + precisionName(precision_));
}

std::shared_ptr<vk::PipelineCache> Stylizer::makePipelineCache(const vk::Context& context, Precision precision)
{
    return std::make_shared<vk::PipelineCache>(context, precisionName(precision));
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
    if (plan_) {
        for (Plan::Flight* f : plan_->submitted)
            (f->slot ? f->slot->recorder : f->recorder)->wait();  // they read the blend's parameters, rewritten now
        plan_->network.setStyleWeights(weights_);
    }
}

void Stylizer::setLook(const OutputLook& look) { look_ = look; }

void Stylizer::rebuild(const FrameGeometry& frame, Size processing, const FrameGeometry& output)
{
    if (plan_ && !plan_->submitted.empty())
        throw std::logic_error("internal: the stylizer's frame size changed with frames in flight; collect them first");
    plan_.reset();  // free the old plan's memory before allocating the new one
    if (!pipelines_)
        pipelines_ = makePipelineCache(context_, precision_);
    if (!packedWeights_)
        packedWeights_ = std::make_unique<WeightStore>(context_);
    // Pipelines and packed weights outlive plans: a new size (the adaptive brush) records
    // commands and allocates activation buffers, but compiles and uploads nothing the
    // earlier plans had.
    plan_ = std::make_unique<Plan>(context_, *pipelines_, *packedWeights_, model_, precision_, options_.timestamps,
                                   frame, processing, output);
    plan_->network.setStyleWeights(weights_);
    if (context_.info().type == VK_PHYSICAL_DEVICE_TYPE_CPU) {
        try {
            plan_->warmUp(context_, *pipelines_, options_.warmUpProgress);
        } catch (...) {
            plan_.reset();  // cancelled or failed: the next run builds it again
            throw;
        }
    }
}

bool Stylizer::needsPlan(const FrameGeometry& frame, Size processing, const FrameGeometry& output) const
{
    if (processing.empty())
        processing = frame.size();
    return !plan_ || plan_->frame != Plan::key(frame) || plan_->processing != processing ||
           plan_->output != Plan::key(output);
}

bool Stylizer::ensurePlan(const FrameGeometry& frame, Size processing, const FrameGeometry& output)
{
    if (frame.width <= 0 || frame.height <= 0)
        throw std::invalid_argument("Empty frame given to the stylizer");
    if (output.width <= 0 || output.height <= 0)
        throw std::invalid_argument("Empty output frame given to the stylizer");
    if (!needsPlan(frame, processing, output))
        return false;
    rebuild(frame, processing.empty() ? frame.size() : processing, output);
    return true;
}

void Stylizer::prepare(const FrameGeometry& frame, Size processing, const FrameGeometry& output)
{
    if (!ensurePlan(frame, processing, output))
        return;
    plan_->record(*plan_->main, look_);
    plan_->main->recorder->submitAndWait();
    plan_->steadyPrimed = false;  // it ran on whatever the frame buffer held
}

void Stylizer::run(const FrameView& frame, Size processing, const MutableFrameView& output)
{
    ensurePlan(frame, processing, output);
    Plan::Flight& f = *plan_->main;
    plan_->record(f, look_);
    copyToGpuLayout(frame, static_cast<std::uint8_t*>(f.frame->mapped()));
    f.recorder->submitAndWait(frameTimeout_);
    plan_->lastSubmitted = f.recorder.get();
    copyFromGpuLayout(static_cast<const std::uint8_t*>(f.result->mapped()), output);
}

void Stylizer::makeRoomInFlight(const char* caller, const FrameView& frame, Size processing,
                                const FrameGeometry& output)
{
    if (plan_ && plan_->submitted.size() >= kFramesInFlight)
        throw std::logic_error(std::string("internal: Stylizer::") + caller + " with " +
                               std::to_string(kFramesInFlight) + " frames in flight; collect one first");
    ensurePlan(frame, processing, output);
}

void Stylizer::submit(const FrameView& frame, Size processing, const MutableFrameView& output)
{
    makeRoomInFlight("submit", frame, processing, output);
    Plan::Flight& f = plan_->takeFlight(context_, model_, options_.timestamps, frame);
    plan_->record(f, look_);
    f.output = output;
    f.shared = false;
    f.recorder->submit();
    plan_->submitted.push_back(&f);
}

void Stylizer::submitShared(const FrameView& frame, Size processing, const FrameGeometry& output)
{
    makeRoomInFlight("submitShared", frame, processing, output);
    Plan::Flight& f = plan_->takeFlight(context_, model_, options_.timestamps, frame);
    f.slot = plan_->freeSlot(context_, model_, options_.timestamps, f);
    f.shared = true;
    if (f.slot) {
        plan_->record(*f.slot->recorder, f, *f.slot->toImage, f.slot->recordedLook, look_);
        f.slot->inFlight = true;
        f.slot->recorder->submit();
    } else {
        plan_->record(f, look_);
        f.recorder->submit();
    }
    plan_->submitted.push_back(&f);
}

void Stylizer::collect()
{
    if (!plan_ || plan_->submitted.empty())
        throw std::logic_error("internal: Stylizer::collect with no frame in flight");
    Plan::Flight& f = *plan_->submitted.front();
    if (f.shared)
        throw std::logic_error("internal: Stylizer::collect for a frame given to submitShared");
    plan_->submitted.pop_front();  // a timeout below loses this frame, not the next ones
    f.recorder->wait(frameTimeout_);
    plan_->lastSubmitted = f.recorder.get();
    copyFromGpuLayout(static_cast<const std::uint8_t*>(f.result->mapped()), f.output);
}

SharedFrame Stylizer::collectShared()
{
    if (!plan_ || plan_->submitted.empty())
        throw std::logic_error("internal: Stylizer::collectShared with no frame in flight");
    Plan::Flight& f = *plan_->submitted.front();
    if (!f.shared)
        throw std::logic_error("internal: Stylizer::collectShared for a frame given to submit");
    plan_->submitted.pop_front();  // a timeout below loses this frame, not the next ones
    SharedFrame result;
    const GpuFramePlanes g = sharedLayout(plan_->output, result);
    const std::uint8_t* base = nullptr;
    if (Plan::SharedSlot* slot = f.slot) {
        // Out of flight first: a timeout below loses the frame, and the slot (and its
        // flight, whose frame buffer it reads) serve again once the device has finished it.
        slot->inFlight = false;
        f.slot = nullptr;
        slot->recorder->wait(frameTimeout_);
        base = plan_->leaseSlot(*slot, result);
    } else {
        f.recorder->wait(frameTimeout_);
        plan_->lastSubmitted = f.recorder.get();
        base = copyResult(*f.result, g.bytes, result);
    }
    for (int p = 0; p < result.planeCount(); ++p)
        result.planes[p] = base + g.offset[p];
    return result;
}

std::size_t Stylizer::framesInFlight() const { return plan_ ? plan_->submitted.size() : 0; }

SharedFrame Stylizer::runShared(const FrameView& frame, Size processing, const FrameGeometry& output)
{
    ensurePlan(frame, processing, output);
    SharedFrame result;
    const GpuFramePlanes g = sharedLayout(Plan::key(output), result);
    const std::uint8_t* base = nullptr;
    Plan::Flight& main = *plan_->main;
    copyToGpuLayout(frame, static_cast<std::uint8_t*>(main.frame->mapped()));
    if (Plan::SharedSlot* slot = plan_->freeSlot(context_, model_, options_.timestamps, main)) {
        plan_->record(*slot->recorder, main, *slot->toImage, slot->recordedLook, look_);
        slot->recorder->submitAndWait(frameTimeout_);
        base = plan_->leaseSlot(*slot, result);
    } else {
        plan_->record(main, look_);
        main.recorder->submitAndWait(frameTimeout_);
        plan_->lastSubmitted = main.recorder.get();
        base = copyResult(*main.result, g.bytes, result);
    }
    for (int p = 0; p < result.planeCount(); ++p)
        result.planes[p] = base + g.offset[p];
    return result;
}

void Stylizer::run(ImageView frame, Size processing, Size output, Image& result)
{
    if (output.empty())
        output = frame.size();
    result.width = output.width;
    result.height = output.height;
    result.rgba.resize(std::size_t(output.width) * output.height * 4);
    run(frameView(frame), processing, frameView(result));
}

std::size_t Stylizer::pipelineCount() const { return pipelines_ ? pipelines_->size() : 0; }

bool Stylizer::busy() const
{
    if (!plan_)
        return false;
    bool running = plan_->main->recorder->stillRunning();
    for (Plan::SharedSlot& slot : plan_->slots)
        running = slot.recorder->stillRunning() || running;
    for (Plan::Flight& f : plan_->flights)
        running = f.recorder->stillRunning() || running;
    return running;
}

std::vector<vk::OpTiming> Stylizer::lastTimings() const
{
    return plan_ && plan_->lastSubmitted ? plan_->lastSubmitted->timings() : std::vector<vk::OpTiming>{};
}

std::uint64_t Stylizer::deviceBytes() const
{
    return (plan_ ? plan_->deviceArena.bytes() + plan_->hostArena.bytes() : 0) +
           (packedWeights_ ? packedWeights_->bytes() : 0);
}

std::size_t Stylizer::weightUploads() const { return packedWeights_ ? packedWeights_->uploads() : 0; }

}  // namespace stylize::render
