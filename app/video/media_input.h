// The demux side of every source: opens a file, camera, lavfi graph or URL through
// avformat_open_input, picks the video stream (and the audio stream, if any), reads
// packets, and can be interrupted from another thread so no read hangs.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "image.h"
#include "video/av_ptr.h"
#include "video/source_spec.h"

namespace stylize::video {

enum class ReadStatus { Packet, EndOfFile };

class MediaInput {
public:
    explicit MediaInput(SourceSpec spec);
    ~MediaInput();
    MediaInput(const MediaInput&) = delete;
    MediaInput& operator=(const MediaInput&) = delete;

    const SourceSpec& spec() const { return spec_; }
    const std::string& label() const { return spec_.label; }
    AVFormatContext* format() const { return format_.get(); }
    AVStream* videoStream() const { return format_->streams[videoIndex_]; }
    int videoIndex() const { return videoIndex_; }
    AVStream* audioStream() const { return audioIndex_ < 0 ? nullptr : format_->streams[audioIndex_]; }
    int audioIndex() const { return audioIndex_; }

    // Clockwise rotation the display matrix asks for: 0, 90, 180 or 270.
    int rotation() const { return rotation_; }
    // The picture as shown: coded size with width and height swapped for 90/270.
    render::Size displaySize() const;
    // The source's first timestamp when positive, subtracted from every stream so
    // outputs start at 0 (0 otherwise).
    std::int64_t startUs() const { return startUs_; }
    // Frames the container says it holds, or an estimate from duration x rate; 0: unknown.
    std::int64_t expectedFrames() const;
    double frameRate() const;  // average, or guessed; 30 when nothing says

    // Reads the next packet of any stream. EndOfFile at the end; throws VideoError on
    // a read failure (device gone, I/O error) or after interrupt().
    ReadStatus read(AVPacket* packet);
    // Makes the current and every later blocking read return (any thread).
    void interrupt() { interrupted_ = true; }
    bool interrupted() const { return interrupted_; }
    // Non-empty when reading stopped at damaged data instead of the file's real end.
    const std::string& damage() const { return damage_; }

private:
    static int interruptCallback(void* self);
    [[noreturn]] void throwOpenError(int code) const;

    SourceSpec spec_;
    InputContextPtr format_;
    int videoIndex_ = -1, audioIndex_ = -1;
    int rotation_ = 0;
    std::int64_t startUs_ = 0;
    std::string damage_;                       // reader thread only
    std::atomic<bool> interrupted_{false};     // set by any thread, read by FFmpeg's I/O
    std::atomic<std::int64_t> deadlineUs_{0};  // av_gettime_relative() limit for the current call; 0: none
};

}  // namespace stylize::video
