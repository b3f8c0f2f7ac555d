// How the pipeline calls the engine, without knowing it: one frame in, one out.
#pragma once

#include <cstddef>
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

    // A failure stopped the run with `frames` still on the engine, writing into targets
    // the caller still holds: collects each (into its target) so that the engine is left
    // with none before the targets are freed. A collect that throws gives up its frame;
    // the first failure already stopped the run, so later ones are not reported.
    void collectLeftOvers(std::size_t frames) const noexcept;
};

// Calls `collect` `frames` times, each failure ignored (see collectLeftOvers).
template <class Collect>
void collectEach(std::size_t frames, const Collect& collect) noexcept
{
    for (std::size_t i = 0; i < frames; ++i) {
        try {
            collect();
        } catch (...) {
        }
    }
}

inline void PipelinedStylize::collectLeftOvers(std::size_t frames) const noexcept { collectEach(frames, collect); }

}  // namespace stylize::pipeline
