// The engine's front door: one frame in, one stylized frame out, on a Vulkan device.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "frame.h"
#include "image.h"
#include "model/model.h"
#include "ops/gpu_op.h"
#include "ops/frame_ops.h"
#include "vk/command_recorder.h"

namespace stylize::vk {
class Context;
}

namespace stylize::render {

class WeightStore;

struct StylizerOptions {
    std::optional<Precision> precision;  // default: fp16 storage where the device has it
    bool timestamps = false;             // per-op GPU times in lastTimings()
    // Pipelines to share with other stylizers of the same precision (e.g. one per style
    // model in the app, or a model whose style slots changed): a new stylizer compiles only
    // what none of them had; without `precision`, the cache's build decides it. Null: a
    // cache of its own. A shared cache is not thread-safe:
    // the stylizers that share it run on one thread at a time.
    std::shared_ptr<vk::PipelineCache> pipelines;
    // CPU drivers (lavapipe) compile a pipeline at its first dispatch, so a new plan's
    // first run there goes op by op, one submission per op that dispatches a pipeline
    // new to the device, and stops between them (vk::Cancelled) once `pipelines` is
    // cancelled: closing the app waits one compile, not the network's. Called after each
    // op that compiled, on the thread building the plan: (ops done, ops in all), for a
    // progress note; a plan whose pipelines all ran before calls it not at all.
    std::function<void(std::size_t done, std::size_t total)> warmUpProgress;
};

class Stylizer {
public:
    Stylizer(vk::Context& context, model::Model model, StylizerOptions options = {});
    ~Stylizer();
    Stylizer(const Stylizer&) = delete;
    Stylizer& operator=(const Stylizer&) = delete;

    // One weight per style slot; negative weights are rejected, the rest normalized to
    // sum to 1 (all zero selects the first style).
    void setStyleWeights(std::span<const float> weights);
    void setLook(const OutputLook& look);

    // Stylizes `frame` into `output`, whose layout, size and colour space say what to
    // produce (planes are written row by row, honouring its strides). The network runs
    // at `processing` (empty: the frame's size). A change of any size, layout or colour
    // space rebuilds the plan (slow, once); otherwise the recorded commands are replayed.
    void run(const FrameView& frame, Size processing, const MutableFrameView& output);
    // Whether run() with these geometries would first build a plan (allocations, and
    // pipeline compiles that take tens of seconds on a cold CPU-driver cache).
    bool needsPlan(const FrameGeometry& frame, Size processing, const FrameGeometry& output) const;
    // Builds that plan now and runs it once on whatever the frame buffer holds, since some
    // drivers (lavapipe) compile at first use (e.g. on another thread while the caller
    // shows something else); nothing to do if it exists. Not concurrently with run().
    void prepare(const FrameGeometry& frame, Size processing, const FrameGeometry& output);
    // Like run(), into memory the caller may keep (SharedFrame::memory). Where the device
    // can import host memory (VK_EXT_external_memory_host) the shader writes the pixels
    // straight into it and nothing is copied; a few such buffers take turns, each reused
    // once every holder has let go of it. Otherwise, or while all of them are held, the
    // result is copied into new memory. `output` gives layout, size and colour space.
    SharedFrame runShared(const FrameView& frame, Size processing, const FrameGeometry& output);
    // Frames in flight, for export, where frames queue anyway: submit() copies `frame` to
    // the device and starts its commands without waiting; collect() waits for the oldest
    // submitted frame and writes it into the `output` given with it, whose memory must
    // stay valid until then. With two submitted, the CPU uploads the next frame and reads
    // back the previous one while the device computes (the network's buffers are shared,
    // so the device runs the frames one after another, ordered by a barrier). At most
    // kFramesInFlight submitted; a new size, layout or colour space with frames submitted
    // is an error (collect them first); setStyleWeights waits for them.
    static constexpr std::size_t kFramesInFlight = 2;
    // What pipelines keep in flight on `context` by default: kFramesInFlight on a GPU;
    // one on a CPU driver, which computes on the cores that would upload and read back
    // (two took 1.09x the wall time of one on lavapipe: docs/live-pipeline.md).
    static int defaultFramesInFlight(const vk::Context& context);
    void submit(const FrameView& frame, Size processing, const MutableFrameView& output);
    void collect();
    // The same for memory the caller keeps (the live view, two deep on GPUs):
    // submitShared() starts `frame` as submit() does, its result going into one of the
    // host-imported buffers of runShared() (or, with none free, the flight's own readback
    // buffer); collectShared() waits for the oldest submitted frame and returns it as
    // runShared() would. A frame is collected by the function matching its submit.
    void submitShared(const FrameView& frame, Size processing, const FrameGeometry& output);
    SharedFrame collectShared();
    std::size_t framesInFlight() const;  // submitted, not yet collected
    // Still images: RGBA8 in, RGBA8 out (output empty: the frame's size).
    void run(ImageView frame, Size processing, Size output, Image& result);

    const model::Model& model() const { return model_; }
    Precision precision() const { return precision_; }
    const vk::Context& context() const { return context_; }
    // GPU time per op of the last run(), if timestamps were requested.
    std::vector<vk::OpTiming> lastTimings() const;
    // Whether work this stylizer submitted (a frame that timed out) is still running on
    // the device: destroying it now would wait for that work.
    bool busy() const;
    // How long a frame's wait (run, collect, collectShared, runShared) may take before it
    // fails with vk::VulkanError ("did not finish a frame within ... s"); default 10
    // minutes. The frame is lost; its flight and result slot stay out of use until the
    // device has finished it, then serve again. prepare() and the warm-up compiles wait
    // the default.
    void setFrameTimeout(std::chrono::milliseconds timeout) { frameTimeout_ = timeout; }
    // Compute pipelines built so far; they are kept across plans (a new size compiles
    // nothing the previous plans had).
    std::size_t pipelineCount() const;
    // A cache for StylizerOptions::pipelines: the build for `precision` on `context`.
    static std::shared_ptr<vk::PipelineCache> makePipelineCache(const vk::Context& context, Precision precision);
    // What a stylizer without StylizerOptions::precision runs at: fp16 storage where the
    // device has it, else fp32.
    static Precision defaultPrecision(const vk::Context& context);
    // Device memory the stylizer holds: the current plan's (tensors after reuse,
    // parameters) and the packed weights, which are kept across plans.
    std::uint64_t deviceBytes() const;
    // Convolutions whose weights were packed and uploaded so far, over all plans: a new
    // size that runs the same kernels uploads none.
    std::size_t weightUploads() const;

private:
    struct Plan;
    void rebuild(const FrameGeometry& frame, Size processing, const FrameGeometry& output);
    // submit()'s and submitShared()'s start: room for one more frame, and its plan.
    void makeRoomInFlight(const char* caller, const FrameView& frame, Size processing, const FrameGeometry& output);
    // Validates the sizes and builds the plan if needed; true if it did.
    bool ensurePlan(const FrameGeometry& frame, Size processing, const FrameGeometry& output);

    vk::Context& context_;
    model::Model model_;
    StylizerOptions options_;
    Precision precision_;
    std::vector<float> weights_;
    OutputLook look_;
    std::chrono::milliseconds frameTimeout_ = std::chrono::minutes(10);
    std::shared_ptr<vk::PipelineCache> pipelines_;  // shared by every plan (and maybe other stylizers); outlives them
    std::unique_ptr<WeightStore> packedWeights_;    // this model's packed weights, kept across plans; outlives them
    std::unique_ptr<Plan> plan_;
};

}  // namespace stylize::render
