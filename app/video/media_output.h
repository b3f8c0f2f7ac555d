// The write side: one video encoder (H.264 by default; HEVC, VP9, AV1), the muxer,
// and optionally the source's audio. Video frames arrive with microsecond timestamps
// and are converted to the encoder's time base here, at the edge. The video thread and
// the audio (demux) thread may write at the same time; the muxer is behind a lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "image.h"
#include "video/av_ptr.h"
#include "video/frame_pool.h"
#include "video/partial_file.h"
#include "video/timed_frame.h"

namespace stylize::video {

class AudioOutput;

enum class VideoCodec { H264, Hevc, Vp9, Av1 };

struct OutputSettings {
    std::string path;
    std::optional<VideoCodec> codec;  // none: H.264, or VP9 where the container needs it
    int crf = -1;                     // -1: the codec's default quality
    std::string preset;               // x264/x265 names; VP9 cpu-used 0-8; AV1 SVT preset 0-13
    render::Size size;                // rounded up to even sizes for 4:2:0
    double frameRate = 30;            // rate-control hint; timestamps decide the real timing
    AVRational timeBase{1, 90000};    // the encoder's time base
    bool live = false;                // fast preset, short GOP, fragmented/flushed so a kill keeps the file
};

// "h264" | "hevc" | "vp9" | "av1" (also "h265", "x264"...); throws VideoError otherwise.
VideoCodec parseVideoCodec(const std::string& name);
const char* videoCodecName(VideoCodec codec);

class MediaOutput {
public:
    // Creates the file, opens the encoders and writes the header. `audioSource` (may be
    // null) is the input's audio stream; startUs is the input's first timestamp.
    MediaOutput(const OutputSettings& settings, const AVStream* audioSource = nullptr, std::int64_t startUs = 0,
                const std::string& sourceLabel = {});
    ~MediaOutput();
    MediaOutput(const MediaOutput&) = delete;
    MediaOutput& operator=(const MediaOutput&) = delete;

    const std::string& path() const { return path_; }
    render::Size size() const { return {encoder_->width, encoder_->height}; }
    AVPixelFormat pixelFormat() const { return encoder_->pix_fmt; }
    const char* encoderName() const { return encoder_->codec->name; }
    // What happened to the audio ("copied (aac)"), empty without audio.
    std::string audioDescription() const;
    // Why the source's audio is not in the output (empty when it is, or there was none).
    const std::string& audioProblem() const { return audioProblem_; }
    // Damaged audio packets left out (after finishAudio()).
    std::int64_t audioPacketsDropped() const;

    // A pooled frame in the encoder's format and size for the stylizer to write into
    // (the stylize thread).
    FramePtr newVideoFrame();
    // Encodes one frame (video thread). Timestamps that would not increase are nudged
    // forward by one tick so no frame is ever lost to a muxer error.
    void writeVideo(TimedFrame frame);
    // Drains the video encoder (video thread).
    void finishVideo();
    // A packet of the audio source, and its end (demux thread).
    void writeAudio(AVPacket* packet);
    void finishAudio();
    // Writes the trailer, closes the file and renames it into place (until then it is
    // written beside the destination as a PartialFile, and a MediaOutput destroyed
    // without close() removes it: an existing file at the destination is never touched
    // by a failed write; live recordings to a new name are written under that name, so
    // a killed process leaves it playable). Throws VideoError naming the file on failure (a full disk
    // shows up here at the latest).
    void close();

    std::int64_t videoFramesWritten() const { return videoFrames_; }  // video thread
    std::int64_t bytesWritten() const;
    std::int64_t lastVideoUs() const { return lastUs_; }  // video thread

private:
    void sendVideo(AVFrame* frame);
    void writePacket(AVPacket* packet);
    [[noreturn]] void throwWriteError(int code) const;

    std::string path_;
    PartialFile file_;  // declared before format_: the file is closed before it is removed
    OutputContextPtr format_;
    CodecContextPtr encoder_;
    AVStream* videoStream_ = nullptr;
    std::unique_ptr<AudioOutput> audio_;
    std::string audioProblem_;
    FramePool pool_;
    PacketPtr packet_;
    std::mutex muxMutex_;                             // guards format_ writes across the two threads
    bool headerWritten_ = false;                      // constructor, then close() (muxMutex_)
    std::int64_t lastPts_ = AV_NOPTS_VALUE;           // video thread: last pts sent, encoder time base
    std::int64_t lastUs_ = 0;                         // video thread
    std::map<std::int64_t, std::int64_t> durations_;  // video thread: pts → duration (ticks)
    std::int64_t videoFrames_ = 0;                    // video thread
};

}  // namespace stylize::video
