// A decoded or stylized picture as it travels between pipeline threads: the frame's
// buffers by reference plus the one internal timestamp (microseconds from the start).
#pragma once

#include <cstdint>

#include "video/av_ptr.h"

namespace stylize::video {

inline constexpr AVRational kMicroseconds{1, 1000000};

struct TimedFrame {
    FramePtr frame;
    std::int64_t us = 0;          // presentation time, µs since the source's start
    std::int64_t durationUs = 0;  // how long it shows (0: unknown)
};

}  // namespace stylize::video
