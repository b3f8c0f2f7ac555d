// MediaInput: opening, stream choice, rotation, timing and interruptible reads.
#include "video/media_input.h"

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <mutex>

#include "video/av_error.h"

extern "C" {
#include <libavdevice/avdevice.h>
#include <libavutil/display.h>
#include <libavutil/time.h>
}

namespace stylize::video {
namespace {

// Live sources must answer within this long, or the read fails instead of hanging.
constexpr std::int64_t kOpenTimeoutUs = 10'000'000;
constexpr std::int64_t kReadTimeoutUs = 5'000'000;

int displayRotation(const AVStream* stream)
{
    const std::uint8_t* matrix = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
    if (!matrix)
        return 0;
    const double ccw = av_display_rotation_get(reinterpret_cast<const std::int32_t*>(matrix));
    if (std::isnan(ccw))
        return 0;
    // The matrix rotates counter-clockwise; we turn the picture clockwise by the rest.
    int clockwise = static_cast<int>(std::lround(-ccw)) % 360;
    if (clockwise < 0)
        clockwise += 360;
    return (clockwise + 45) / 90 % 4 * 90;
}

}  // namespace

MediaInput::MediaInput(SourceSpec spec) : spec_(std::move(spec))
{
    static std::once_flag devicesRegistered;
    std::call_once(devicesRegistered, [] { avdevice_register_all(); });

    const AVInputFormat* inputFormat = nullptr;
    AVDictionary* rawOptions = nullptr;
    if (spec_.kind == SourceKind::Camera) {
        inputFormat = av_find_input_format("v4l2");
        if (!inputFormat)
            throw VideoError("This FFmpeg build has no v4l2 input, so " + spec_.label + " cannot be opened.");
        if (!spec_.captureSize.empty())
            av_dict_set(
                &rawOptions, "video_size",
                (std::to_string(spec_.captureSize.width) + "x" + std::to_string(spec_.captureSize.height)).c_str(), 0);
        if (spec_.captureFps > 0)
            av_dict_set(&rawOptions, "framerate", std::to_string(spec_.captureFps).c_str(), 0);
    } else if (spec_.kind == SourceKind::TestPattern || spec_.kind == SourceKind::Lavfi) {
        inputFormat = av_find_input_format("lavfi");
        if (!inputFormat)
            throw VideoError("This FFmpeg build has no lavfi input, so " + spec_.label + " cannot be opened.");
    } else if (spec_.kind == SourceKind::File) {
        std::error_code ec;
        if (std::filesystem::is_directory(spec_.location, ec))
            throw VideoError(spec_.location + " is a folder, not a video file.");
    }
    DictionaryPtr options(rawOptions);

    AVFormatContext* raw = avformat_alloc_context();
    if (!raw)
        throw std::bad_alloc();
    raw->interrupt_callback = {&MediaInput::interruptCallback, this};
    if (spec_.live())
        deadlineUs_ = av_gettime_relative() + kOpenTimeoutUs;
    AVDictionary* optionsIn = options.release();
    int r = avformat_open_input(&raw, spec_.location.c_str(), inputFormat, &optionsIn);
    options.reset(optionsIn);
    if (r < 0)  // avformat_open_input frees the context on failure
        throwOpenError(r);
    format_.reset(raw);

    r = avformat_find_stream_info(format_.get(), nullptr);
    deadlineUs_ = 0;
    if (r < 0)
        throw VideoError("Cannot read " + spec_.label + ": " + averrorText(r) + " (is it damaged?).");

    videoIndex_ = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (videoIndex_ < 0)
        throw VideoError(spec_.label + " has no video stream.");
    audioIndex_ = av_find_best_stream(format_.get(), AVMEDIA_TYPE_AUDIO, -1, videoIndex_, nullptr, 0);
    if (audioIndex_ < 0)
        audioIndex_ = -1;
    for (unsigned i = 0; i < format_->nb_streams; ++i)
        if (int(i) != videoIndex_ && int(i) != audioIndex_)
            format_->streams[i]->discard = AVDISCARD_ALL;  // not decoded, not read further
    rotation_ = displayRotation(videoStream());
    // Sources that start late (MPEG-TS, cameras) are moved to 0; a negative start (audio
    // priming) is left alone so the video keeps its exact timestamps.
    if (format_->start_time != AV_NOPTS_VALUE && format_->start_time > 0)
        startUs_ = format_->start_time;  // AV_TIME_BASE is microseconds
}

MediaInput::~MediaInput() = default;

void MediaInput::throwOpenError(int code) const
{
    const std::string& what = spec_.label;
    if (interrupted_)
        throw VideoError("Opening " + what + " was cancelled.");
    if (spec_.kind == SourceKind::Camera) {
        if (code == AVERROR(ENOENT) || code == AVERROR(ENODEV) || code == AVERROR(ENXIO))
            throw VideoError(what + " does not exist or is unplugged; run 'stylize-cli devices' to list cameras.");
        if (code == AVERROR(EBUSY))
            throw VideoError(what + " is busy: another program is using it; close that program and try again.");
        if (code == AVERROR(EACCES) || code == AVERROR(EPERM))
            throw VideoError("No permission to open " + what + "; add your user to the 'video' group.");
        if (code == AVERROR_EXIT)
            throw VideoError(what + " did not answer within 10 seconds.");
        throw VideoError("Cannot open " + what + ": " + averrorText(code) + ".");
    }
    if (spec_.kind == SourceKind::File) {
        if (code == AVERROR(ENOENT))
            throw VideoError("Cannot open " + what + ": there is no such file.");
        if (code == AVERROR(EACCES) || code == AVERROR(EPERM))
            throw VideoError("Cannot open " + what + ": permission denied (check the file's permissions).");
        if (code == AVERROR_INVALIDDATA)
            throw VideoError("Cannot read " + what +
                             ": it is not a video file FFmpeg understands, or it is damaged or truncated.");
        throw VideoError("Cannot open " + what + ": " + averrorText(code) + ".");
    }
    if (code == AVERROR_EXIT)
        throw VideoError(what + " did not answer within 10 seconds.");
    std::string reason = averrorText(code);
    const std::string log = lastFfmpegLogError();
    if (!log.empty())
        reason += " (" + log + ")";
    throw VideoError("Cannot open " + what + ": " + reason + ".");
}

int MediaInput::interruptCallback(void* opaque)
{
    auto* self = static_cast<MediaInput*>(opaque);
    if (self->interrupted_)
        return 1;
    const std::int64_t deadline = self->deadlineUs_;
    return deadline != 0 && av_gettime_relative() > deadline ? 1 : 0;
}

ReadStatus MediaInput::read(AVPacket* packet)
{
    // One deadline for the whole wait for a packet: retries after EAGAIN do not extend it,
    // so a camera that keeps answering "not yet" still times out, and interrupt() ends it.
    const std::int64_t deadline = spec_.live() ? av_gettime_relative() + kReadTimeoutUs : 0;
    for (;;) {
        deadlineUs_ = deadline;
        const int r = av_read_frame(format_.get(), packet);
        deadlineUs_ = 0;
        if (r == AVERROR(EAGAIN)) {  // v4l2 in non-blocking mode: no frame yet
            if (interrupted_)
                throw VideoError("Reading " + spec_.label + " was cancelled.");
            if (deadline != 0 && av_gettime_relative() > deadline)
                throw VideoError(spec_.label + " stopped delivering frames (nothing for 5 seconds); was it unplugged?");
            av_usleep(2000);
            continue;
        }
        if (r == AVERROR_EOF)
            return ReadStatus::EndOfFile;
        if (r < 0) {
            if (interrupted_)
                throw VideoError("Reading " + spec_.label + " was cancelled.");
            if (spec_.live())
                throw VideoError(spec_.label + " stopped delivering frames (" +
                                 (r == AVERROR_EXIT ? std::string("nothing for 5 seconds") : averrorText(r)) +
                                 "); was it unplugged?");
            // A damaged stretch of a file: FFmpeg reports it; the end of what is readable.
            if (r == AVERROR_INVALIDDATA) {
                damage_ = "its data is damaged past this point";
                return ReadStatus::EndOfFile;
            }
            throw VideoError("Reading " + spec_.label + " failed: " + averrorText(r) + ".");
        }
        if (packet->stream_index == videoIndex_ || packet->stream_index == audioIndex_)
            return ReadStatus::Packet;
        av_packet_unref(packet);
    }
}

render::Size MediaInput::displaySize() const
{
    const AVCodecParameters* p = videoStream()->codecpar;
    return rotation_ % 180 ? render::Size{p->height, p->width} : render::Size{p->width, p->height};
}

double MediaInput::frameRate() const
{
    AVRational rate = videoStream()->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0)
        rate = av_guess_frame_rate(format_.get(), videoStream(), nullptr);
    const double fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
    return fps > 0.5 && fps < 1000 ? fps : 30.0;
}

std::int64_t MediaInput::expectedFrames() const
{
    if (spec_.live())
        return 0;
    const AVStream* s = videoStream();
    if (s->nb_frames > 0)
        return s->nb_frames;
    double seconds = 0;
    if (s->duration != AV_NOPTS_VALUE && s->duration > 0)
        seconds = s->duration * av_q2d(s->time_base);
    else if (format_->duration > 0)
        seconds = format_->duration / double(AV_TIME_BASE);
    return static_cast<std::int64_t>(std::lround(seconds * frameRate()));
}

}  // namespace stylize::video
