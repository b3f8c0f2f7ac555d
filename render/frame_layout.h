// How a video frame sits in a GPU buffer (planes for a width padded to 8 and a height
// padded to 2, rows in whole uints) — the host twin of shaders/frame.glsl — and the
// copies between that layout and caller-owned planes with arbitrary strides.
#pragma once

#include <cstdint>

#include "frame.h"

namespace stylize::render {

struct GpuFramePlanes {
    std::uint64_t offset[3] = {0, 0, 0};
    std::uint64_t stride[3] = {0, 0, 0};
    std::uint64_t bytes = 0;  // the whole frame
};

GpuFramePlanes gpuFramePlanes(PixelLayout layout, int width, int height);

// Copies each plane of `frame` into `gpu` (laid out by gpuFramePlanes). Throws
// std::invalid_argument when a plane pointer or stride is missing or too small.
void copyToGpuLayout(const FrameView& frame, std::uint8_t* gpu);
void copyFromGpuLayout(const std::uint8_t* gpu, const MutableFrameView& frame);

}  // namespace stylize::render
