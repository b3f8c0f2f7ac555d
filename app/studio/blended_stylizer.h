// Stylizes frames with a blend of styles: styles of one model blend inside the network
// (conditional instance norm, free); styles of different models blend in output space,
// one network pass per model. Stylizers are kept per model so switching is cheap.
// Strength mixes the output with the frame, except for picture styles once the
// content's own style vector is known (setContent): their vectors are mixed with it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "frame.h"
#include "ops/frame_ops.h"
#include "studio/style_library.h"

namespace stylize::vk {
class Context;
class PipelineCache;
}
namespace stylize::render {
class Stylizer;
}

namespace stylize::studio {

class BlendedStylizer {
public:
    // The models come with each blend (ModelBlend::shared): no library access here.
    explicit BlendedStylizer(vk::Context& context);
    ~BlendedStylizer();

    void setBlend(std::vector<ModelBlend> blend, const render::OutputLook& look);
    // Picture styles below full strength want the content's style vector: the model to
    // predict it with (null when the blend needs none). The caller runs its predictor on
    // a frame of the source, where it can wait for it, and hands the vector over.
    std::shared_ptr<const app::MagentaStyles> contentPredictor() const;
    // From now on picture styles below full strength mix their vectors with `vector`
    // (Magenta's strength) instead of mixing the output with the frame. Kept across
    // setBlend calls; a new source's vector replaces it.
    void setContent(std::vector<float> vector);
    // Output in any layout with one model; RGBA8 when several models are blended.
    void run(const render::FrameView& frame, render::Size processing, const render::MutableFrameView& output);
    // Whether a run would first build plans (see render::Stylizer::needsPlan), and
    // building them ahead of the run, for every model in the blend.
    bool needsPlan(const render::FrameGeometry& frame, render::Size processing,
                   const render::FrameGeometry& output);
    void prepare(const render::FrameGeometry& frame, render::Size processing, const render::FrameGeometry& output);
    // Into memory the caller keeps: with one model the engine's own result memory (no copy
    // where the device imports host memory); a cross-model blend mixes into new memory.
    render::SharedFrame runShared(const render::FrameView& frame, render::Size processing,
                                  const render::FrameGeometry& output);
    // Frames in flight (the live view, two deep on GPUs): submitShared() starts `frame`
    // and collectShared() returns the oldest started frame, as runShared() would have.
    // With one model the frame goes to that stylizer's flights, so the next frame's
    // upload and this one's readback overlap the device's work; a blend across models
    // is mixed at once and kept until collected. maxInFlight(): how many to keep started
    // before a collect with the current blend (one across models: no overlap to gain). Whatever replaces or re-weights stylizers (setBlend, setContent,
    // releaseUnused) first settles: waits for the frames in flight and keeps their
    // results for collectShared(), so no frame runs with settings it was not started
    // with and none is lost. prepare() wants none in flight: settle() first.
    void submitShared(const render::FrameView& frame, render::Size processing, const render::FrameGeometry& output);
    render::SharedFrame collectShared();
    // Frames in flight into the caller's targets (export): submit() starts `frame` into
    // `output`, whose memory must stay valid until collect() has finished that frame
    // (collects go oldest first, as with render::Stylizer::submit/collect). Single-model
    // blends only, in any layout; a blend across models throws std::logic_error (run()
    // mixes it at once). Settles like the shared pair; a frame is collected by the
    // function matching its submit.
    void submit(const render::FrameView& frame, render::Size processing, const render::MutableFrameView& output);
    void collect();
    void settle();
    std::size_t framesInFlight() const { return pending_.size(); }  // started, not yet collected
    std::size_t maxInFlight() const;
    // Forgets stylizers of models the current blend does not use (frees device memory).
    void releaseUnused();
    // Forgets every stylizer and plan (the next run builds them again): after a device
    // failure. One whose work is still running on the device (hung) is leaked, not waited
    // for. Frames in flight are forgotten too: collectShared() gives none for them.
    void dropPlans();
    // Any thread: a plan being built stops at its next pipeline compile (prepare or run
    // throws vk::Cancelled), and so does every later one; for shutting down only.
    void cancel();
    // For stylizers made from now on: called while a CPU driver compiles a new plan's
    // shaders (render::StylizerOptions::warmUpProgress), on the thread building it.
    void setWarmUpProgress(std::function<void(std::size_t done, std::size_t total)> progress)
    {
        warmUpProgress_ = std::move(progress);
    }

private:
    render::Stylizer& stylizerFor(const ModelBlend& blend);
    void apply();  // blend_, look_ and content_ -> active_, each stylizer's weights and look

    struct Entry {
        std::shared_ptr<const model::Model> model;  // outlives its stylizer, which refers to it
        std::unique_ptr<render::Stylizer> stylizer;
    };
    vk::Context& context_;
    std::vector<ModelBlend> blend_;   // as given
    render::OutputLook look_;
    std::vector<ModelBlend> active_;  // what runs: blend_ with picture models given the content slot
    std::vector<float> content_;      // the content's style vector (empty: not known)
    // Picture models with content_ as their last slot, by the model they were made from.
    std::map<const model::Model*, std::shared_ptr<const model::Model>> withContent_;
    std::map<const model::Model*, Entry> stylizers_;
    // Shared by every stylizer of stylizers_; made once (cancel() reads it from any thread).
    const std::shared_ptr<vk::PipelineCache> pipelines_;
    std::function<void(std::size_t, std::size_t)> warmUpProgress_;  // set before use; called by the building thread
    // Frames started by submitShared or submit, oldest first: on `engine` (a single-model
    // blend's stylizer, collected from it), or finished (`ready`: a cross-model mix, or
    // settled).
    struct Pending {
        render::Stylizer* engine = nullptr;
        render::SharedFrame ready;
        bool intoTarget = false;  // submit(): written into the caller's target, nothing to hand back
    };
    std::deque<Pending> pending_;
    std::vector<std::uint8_t> scratch_;  // one model's RGBA output while mixing
    std::vector<float> accumulator_;
};

}  // namespace stylize::studio
