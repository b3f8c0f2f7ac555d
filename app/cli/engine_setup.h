// What every engine-using command does first: load the model, open the device, build
// the stylizer with the requested precision, styles, strength and colour preservation.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/arguments.h"
#include "pipeline/stylize_function.h"
#include "model/model.h"
#include "picture_styles.h"
#include "stylizer.h"
#include "vk/context.h"

namespace stylize::cli {

class EngineSetup {
public:
    explicit EngineSetup(const Arguments& args, bool timestamps = false);
    vk::Context& context() { return *context_; }
    render::Stylizer& stylizer() { return *stylizer_; }
    // The stylizer for this frame: picture styles below full strength first take the
    // content's own style vector from the first frame they are given (Magenta's
    // strength, app/picture_styles.h; the predictor, under a second), every other
    // model and every later frame get stylizer() as it is.
    render::Stylizer& stylizerFor(const render::FrameView& frame);
    // stylizerFor() with frames in flight (render::Stylizer::submit/collect) at the
    // network size `processing` (empty: the output's), as deep as --in-flight says: two by
    // default on a GPU (the device computes one while the next is uploaded and the one
    // before read back), one on a CPU driver, which computes on the cores that would copy
    // (lavapipe: two in flight took 1.09x the wall time of one, median of 4 paired runs).
    pipeline::PipelinedStylize pipelined(const Arguments& args, render::Size processing);
    const model::Model& model() const { return stylizer_->model(); }
    // "wave" or "wave 60% + udnie 40%".
    std::string styleDescription() const { return styles_; }

private:
    struct ContentMix {
        std::shared_ptr<const app::MagentaStyles> magenta;
        model::Model pictures;
        std::vector<float> weights;
        render::StylizerOptions options;
        render::OutputLook look;
    };
    std::unique_ptr<vk::Context> context_;
    std::optional<ContentMix> contentMix_;  // until the first frame has given its vector
    std::unique_ptr<render::Stylizer> stylizer_;
    std::string styles_;
};

}  // namespace stylize::cli
