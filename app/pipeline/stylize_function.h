// How the pipeline calls the engine, without knowing it: one frame in, one out.
#pragma once

#include <functional>

#include "frame.h"

namespace stylize::pipeline {

// Stylizes `input` into `output`, whose layout, size and colour space say what to
// produce (the caller decides the processing size, styles and look). Called on the
// pipeline's stylize thread only, one frame at a time; it may throw to stop the run.
using StylizeFunction = std::function<void(const render::FrameView& input, const render::MutableFrameView& output)>;

}  // namespace stylize::pipeline
