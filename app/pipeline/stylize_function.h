// How the pipeline calls the engine, without knowing it: one frame in, one out.
#pragma once

#include <functional>

#include "frame.h"

namespace stylize::pipeline {

// Stylizes `input` into `output`, whose layout, size and colour space say what to
// produce (the caller decides the processing size, styles and look). Called on the
// pipeline's stylize thread only, one frame at a time; it may throw to stop the run.
using StylizeFunction = std::function<void(const render::FrameView& input, const render::MutableFrameView& output)>;

// An engine that keeps frames in flight (render::Stylizer::submit/collect): `submit`
// starts `input` into `output` (it may keep `output` until collected, not `input`),
// `collect` finishes the oldest submitted frame; up to `depth` frames are submitted
// before a collect. Export uses it so that upload, compute and readback overlap. Called
// on the stylize thread only; either may throw to stop the run.
struct PipelinedStylize {
    StylizeFunction submit;
    std::function<void()> collect;
    int depth = 1;
};

}  // namespace stylize::pipeline
