// Frames whose pixels come from a recycled buffer pool: converters and the encoder
// side reuse the same memory every frame instead of faulting in new pages.
#pragma once

#include "video/av_ptr.h"

namespace stylize::video {

class FramePool {
public:
    FramePool() = default;
    // A frame of this format and size; its buffer returns to the pool when the last
    // reference goes. Changing format or size starts a new pool.
    FramePtr get(AVPixelFormat format, int width, int height);

private:
    BufferPoolPtr pool_;
    AVPixelFormat format_ = AV_PIX_FMT_NONE;
    int width_ = 0, height_ = 0;
    int linesizes_[4] = {};
    std::ptrdiff_t offsets_[4] = {};
    int bufferSize_ = 0;
};

}  // namespace stylize::video
