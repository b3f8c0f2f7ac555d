// The frame-path check: what the live view and export add around the network on the
// device, checked against arithmetic done here on the CPU. Today: the scene light
// (shaders/luma_mean.comp and the gain in tensor_to_frame.comp) and Steady
// (shaders/steady.comp, against cpu::ReferenceSteady, two frames in flight).
#pragma once

#include <vector>

#include "kernel_check.h"

namespace stylize::gpucheck {

// For each storage precision the device has: a dim 96x64 picture through `network` at
// scene light 0 and 1; the second must be the first times (scene luma / painted luma),
// both means computed here. Then nine frames of a noisy panning scene through a
// contrast network at steady 1, two in flight, against the reference filter.
// error = max |diff| / 255.
std::vector<CheckResult> runFrameCheck(vk::Context& context, const model::Model& network,
                                       const std::string& networkName);

}  // namespace stylize::gpucheck
