// A video frame's pixels on the CPU: the same YUV -> RGB conversion as the GPU's
// (shaders/frame.glsl: co-sited chroma, the frame's matrix and range), for the few
// places that need the picture itself rather than a stylized copy of it, such as the
// style predictor taking a frame of the source as the content's own style.
#pragma once

#include "frame.h"
#include "image.h"

namespace stylize::render {

// The frame as RGBA8 (alpha 255), at most `maxSide` pixels on its long side (0: the
// frame's own size; smaller copies take every n-th pixel, n a whole number).
Image frameToImage(const FrameView& frame, int maxSide = 0);

// Mean Rec. 601 luma (0..255) of an RGBA8 image: the brightness OutputLook::sceneLight
// matches (shaders/luma_mean.comp measures the same on the device).
double meanLuma(ImageView image);

}  // namespace stylize::render
