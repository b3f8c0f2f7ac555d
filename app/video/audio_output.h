// The exported file's audio: the source's stream copied when the container takes its
// codec, otherwise decoded, resampled and re-encoded (AAC for MP4/MOV, the container's
// own default elsewhere).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "video/av_ptr.h"

namespace stylize::video {

class AudioOutput {
public:
    // Writes one finished packet (in the output stream's time base) to the muxer.
    using Writer = std::function<void(AVPacket*)>;

    // Adds the audio stream to `output` (before its header is written). startUs is
    // subtracted from every timestamp so audio stays in step with the video. Throws
    // VideoError, having added nothing, when the source's audio cannot be used.
    AudioOutput(AVFormatContext* output, const AVStream* source, std::int64_t startUs, const std::string& label);
    ~AudioOutput();

    // "copied (aac)" or "re-encoded mp3 → aac".
    const std::string& description() const { return description_; }
    // A packet of the source's audio stream, in its time base (consumed).
    void write(AVPacket* packet, const Writer& writer);
    // End of input: drains the decoder, resampler and encoder.
    void finish(const Writer& writer);
    std::int64_t packetsWritten() const { return packetsWritten_; }
    // Damaged packets left out (the decoder rejected them).
    std::int64_t packetsDropped() const { return packetsDropped_; }

private:
    void encodeFromFifo(bool flush, const Writer& writer);
    void sendToEncoder(AVFrame* frame, const Writer& writer);

    const AVStream* source_;
    AVStream* stream_ = nullptr;
    std::int64_t startOffset_;  // startUs in the source stream's time base
    std::string description_;
    bool copy_ = true;
    // Copying: a decoder that checks each packet, so a damaged one is left out rather
    // than carried into a file that then fails to play.
    CodecContextPtr validator_;
    // Re-encoding only:
    CodecContextPtr decoder_, encoder_;
    SwrContextPtr resampler_;
    AudioFifoPtr fifo_;
    FramePtr decoded_, chunk_;
    std::int64_t nextPts_ = AV_NOPTS_VALUE;  // in samples at the encoder's rate
    std::int64_t packetsWritten_ = 0, packetsDropped_ = 0;
};

}  // namespace stylize::video
