// Decodes the input's video stream into upright frames in a GPU layout, each with its
// microsecond timestamp; flushed at the end so the last frames are not lost.
#pragma once

#include <cstdint>
#include <functional>

#include "video/frame_mapping.h"
#include "video/media_input.h"
#include "video/timed_frame.h"

namespace stylize::video {

class VideoDecoder {
public:
    using Sink = std::function<void(TimedFrame&&)>;

    explicit VideoDecoder(const MediaInput& input);

    // Decodes one packet of the video stream, or drains the decoder when packet is
    // null, handing each finished frame to sink. Damaged packets are counted and skipped.
    void decode(const AVPacket* packet, const Sink& sink);

    std::int64_t framesDecoded() const { return framesDecoded_; }
    // Packets the decoder rejected plus frames it flagged corrupt.
    std::int64_t damagedPackets() const { return damaged_; }
    const std::string& firstDamage() const { return firstDamage_; }

private:
    void receive(const Sink& sink);

    const MediaInput& input_;
    CodecContextPtr codec_;
    UprightConverter converter_;
    FramePtr decoded_;
    AVRational timeBase_;
    std::int64_t defaultDurationUs_;
    std::int64_t lastUs_ = -1;
    std::int64_t framesDecoded_ = 0, damaged_ = 0;
    std::string firstDamage_;
};

}  // namespace stylize::video
