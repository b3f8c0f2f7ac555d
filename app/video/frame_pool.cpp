// FramePool: one pooled buffer holds all planes of a frame.
#include "video/frame_pool.h"

#include "video/av_error.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace stylize::video {

FramePtr FramePool::get(AVPixelFormat format, int width, int height)
{
    if (!pool_ || format != format_ || width != width_ || height != height_) {
        // Rows padded to 64 bytes: SIMD in swscale and the encoders likes aligned rows.
        checkAv(av_image_fill_linesizes(linesizes_, format, (width + 63) & ~63), "Sizing frame rows");
        for (int& l : linesizes_)
            l = (l + 63) & ~63;
        std::ptrdiff_t strides[4];
        for (int i = 0; i < 4; ++i)
            strides[i] = linesizes_[i];
        std::size_t planeSizes[4] = {};
        checkAv(av_image_fill_plane_sizes(planeSizes, format, height, strides), "Sizing frame planes");
        std::size_t size = 0;
        for (int i = 0; i < 4; ++i) {
            offsets_[i] = planeSizes[i] ? static_cast<std::ptrdiff_t>(size) : -1;
            size += planeSizes[i];
        }
        bufferSize_ = static_cast<int>(size) + 64;
        pool_.reset(av_buffer_pool_init(static_cast<std::size_t>(bufferSize_), av_buffer_allocz));
        if (!pool_)
            throw std::bad_alloc();
        format_ = format;
        width_ = width;
        height_ = height;
    }
    FramePtr frame = allocFrame();
    frame->buf[0] = av_buffer_pool_get(pool_.get());
    if (!frame->buf[0])
        throw std::bad_alloc();
    frame->format = format;
    frame->width = width;
    frame->height = height;
    for (int i = 0; i < 4; ++i) {
        frame->linesize[i] = offsets_[i] >= 0 ? linesizes_[i] : 0;
        frame->data[i] = offsets_[i] >= 0 ? frame->buf[0]->data + offsets_[i] : nullptr;
    }
    return frame;
}

}  // namespace stylize::video
