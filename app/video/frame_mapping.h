// AVFrames seen by the engine without copying: decoded frames as FrameView, encoder
// frames as MutableFrameView; formats the GPU does not convert go through libswscale
// first, and rotated sources are turned upright.
#pragma once

#include <optional>

#include "frame.h"
#include "video/av_ptr.h"
#include "video/frame_pool.h"

namespace stylize::video {

// The engine layout of an FFmpeg pixel format, if the GPU converts it itself.
std::optional<render::PixelLayout> gpuLayout(int avPixelFormat);
AVPixelFormat avPixelFormat(render::PixelLayout layout);

// BT.601/709 and limited/full range from the frame's tags (untagged: by size, as
// players guess: 720 lines and up is HD, BT.709).
render::ColorSpace colorSpaceOf(const AVFrame& frame);

// Views of a frame whose format has a gpuLayout(); they borrow its buffers.
render::FrameView frameView(const AVFrame& frame);
render::MutableFrameView mutableFrameView(AVFrame& frame, render::ColorSpace color);

// Brings decoded frames into a layout the GPU takes, upright. Frames already fine are
// passed through untouched; others are converted into pooled buffers.
class UprightConverter {
public:
    explicit UprightConverter(int rotationClockwise) : rotation_(rotationClockwise) {}
    FramePtr convert(FramePtr frame);

private:
    FramePtr toYuv420p(const AVFrame& frame);
    FramePtr rotate(const AVFrame& frame);

    int rotation_;
    SwsContextPtr sws_;
    FramePool convertedPool_, rotatedPool_;
};

// The one RGB -> YUV conversion of every encoder input that does not come from the shader:
// RGBA8 (full range) to `format` at outW x outH, BT.709 limited range, which is what
// MediaOutput tags its video with (swscale's default would be BT.601 and shift colours
// under that tag). `cache` keeps the swscale context between calls. Used by the live
// recorders (CLI and app) and the app's blended exports.
void rgbaToEncoderYuv(SwsContextPtr& cache, const std::uint8_t* rgba, int rgbaStride, int width, int height,
                      AVPixelFormat format, std::uint8_t* const planes[4], const int strides[4], int outW, int outH);

// The reverse, for pictures shown beside the stylized ones (the app's "before" view): a
// decoded frame of any format to RGBA8 full range, reading the matrix and range from
// the frame's tags (colorSpaceOf), as the shader does for the stylized side.
// outWidth x outHeight: the RGBA picture's size (0: the frame's own).
void frameToRgba(SwsContextPtr& cache, const AVFrame& frame, std::uint8_t* rgba, int rgbaStride, int outWidth = 0,
                 int outHeight = 0);

// Converts frames of any size/format to one format and size (the recorder uses it when
// the stylizer wrote RGBA for the view), BT.709 limited range like rgbaToEncoderYuv.
class FrameScaler {
public:
    FramePtr scale(const AVFrame& frame, AVPixelFormat format, int width, int height);

private:
    SwsContextPtr sws_;
    FramePool pool_;
};

}  // namespace stylize::video
