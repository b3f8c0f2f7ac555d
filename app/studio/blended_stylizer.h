// Stylizes frames with a blend of styles: styles of one model blend inside the network
// (conditional instance norm, free); styles of different models blend in output space,
// one network pass per model. Stylizers are kept per model so switching is cheap.
#pragma once

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
    // Forgets stylizers of models the current blend does not use (frees device memory).
    void releaseUnused();
    // Forgets every stylizer and plan (the next run builds them again): after a device
    // failure. One whose work is still running on the device (hung) is leaked, not waited for.
    void dropPlans();

private:
    render::Stylizer& stylizerFor(const ModelBlend& blend);

    struct Entry {
        std::shared_ptr<const model::Model> model;  // outlives its stylizer, which refers to it
        std::unique_ptr<render::Stylizer> stylizer;
    };
    vk::Context& context_;
    std::vector<ModelBlend> blend_;
    render::OutputLook look_;
    std::map<const model::Model*, Entry> stylizers_;
    std::shared_ptr<vk::PipelineCache> pipelines_;  // shared by every stylizer of stylizers_
    std::vector<std::uint8_t> scratch_;  // one model's RGBA output while mixing
    std::vector<float> accumulator_;
};

}  // namespace stylize::studio
