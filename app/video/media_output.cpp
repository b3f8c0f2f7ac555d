// MediaOutput: container and codec choice, encoder settings, the locked muxer.
#include "video/media_output.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "video/audio_output.h"
#include "video/av_error.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace stylize::video {
namespace {

struct CodecInfo {
    VideoCodec codec;
    AVCodecID id;
    const char* encoder;
    const char* name;
    int defaultCrf;
};

constexpr CodecInfo kCodecs[] = {
    {VideoCodec::H264, AV_CODEC_ID_H264, "libx264", "H.264", 20},
    {VideoCodec::Hevc, AV_CODEC_ID_HEVC, "libx265", "HEVC", 24},
    {VideoCodec::Vp9, AV_CODEC_ID_VP9, "libvpx-vp9", "VP9", 32},
    {VideoCodec::Av1, AV_CODEC_ID_AV1, "libsvtav1", "AV1", 35},
};

const CodecInfo& info(VideoCodec codec)
{
    return *std::find_if(std::begin(kCodecs), std::end(kCodecs), [&](const CodecInfo& c) { return c.codec == codec; });
}

bool containerTakes(const AVOutputFormat* format, AVCodecID id)
{
    // 1: yes; 0: no; negative: the muxer does not say (it usually takes it).
    return avformat_query_codec(format, id, FF_COMPLIANCE_NORMAL) != 0;
}

int parsePresetNumber(const std::string& preset, int lo, int hi, const char* codec)
{
    try {
        std::size_t used = 0;
        const int v = std::stoi(preset, &used);
        if (used == preset.size() && v >= lo && v <= hi)
            return v;
    } catch (const std::exception&) {
    }
    throw VideoError(std::string("--preset for ") + codec + " is a number from " + std::to_string(lo) +
                     " (slowest) to " + std::to_string(hi) + " (fastest), not '" + preset + "'.");
}

void checkX26xPreset(const std::string& preset)
{
    static const char* names[] = {"ultrafast", "superfast", "veryfast", "faster",   "fast",
                                  "medium",    "slow",      "slower",   "veryslow", "placebo"};
    for (const char* n : names)
        if (preset == n)
            return;
    throw VideoError(
        "--preset for H.264/HEVC is one of ultrafast, superfast, veryfast, faster, fast, medium, slow, "
        "slower, veryslow, not '" +
        preset + "'.");
}

// Encoder options from the user's codec, CRF and preset choices.
DictionaryPtr encoderOptions(const OutputSettings& s, VideoCodec codec, AVCodecContext* encoder)
{
    AVDictionary* d = nullptr;
    const int crf = s.crf >= 0 ? s.crf : info(codec).defaultCrf;
    switch (codec) {
        case VideoCodec::H264:
        case VideoCodec::Hevc: {
            const std::string preset = s.preset.empty() ? (s.live ? "veryfast" : "medium") : s.preset;
            checkX26xPreset(preset);
            av_dict_set(&d, "preset", preset.c_str(), 0);
            av_dict_set_int(&d, "crf", crf, 0);
            if (s.live)
                av_dict_set(&d, "tune", "zerolatency", 0);  // frames leave at once: a kill loses little
            if (codec == VideoCodec::Hevc)
                av_dict_set(&d, "x265-params", "log-level=error", 0);
            break;
        }
        case VideoCodec::Vp9:
            encoder->bit_rate = 0;  // with crf: constant quality
            av_dict_set_int(&d, "crf", crf, 0);
            av_dict_set_int(&d, "cpu-used",
                            s.preset.empty() ? (s.live ? 8 : 4) : parsePresetNumber(s.preset, 0, 8, "VP9"), 0);
            av_dict_set(&d, "row-mt", "1", 0);
            av_dict_set(&d, "deadline", s.live ? "realtime" : "good", 0);
            break;
        case VideoCodec::Av1:
            av_dict_set_int(&d, "crf", crf, 0);
            av_dict_set_int(&d, "preset",
                            s.preset.empty() ? (s.live ? 12 : 8) : parsePresetNumber(s.preset, 0, 13, "AV1"), 0);
            break;
    }
    return DictionaryPtr(d);
}

}  // namespace

VideoCodec parseVideoCodec(const std::string& name)
{
    if (name == "h264" || name == "x264" || name == "avc" || name == "libx264")
        return VideoCodec::H264;
    if (name == "hevc" || name == "h265" || name == "x265" || name == "libx265")
        return VideoCodec::Hevc;
    if (name == "vp9" || name == "libvpx-vp9")
        return VideoCodec::Vp9;
    if (name == "av1" || name == "libsvtav1")
        return VideoCodec::Av1;
    throw VideoError("--codec is one of h264, hevc, vp9 or av1, not '" + name + "'.");
}

const char* videoCodecName(VideoCodec codec)
{
    return info(codec).name;
}

MediaOutput::MediaOutput(const OutputSettings& s, const AVStream* audioSource, std::int64_t startUs,
                         const std::string& sourceLabel)
    : path_(s.path), file_(s.path, /*newInPlace=*/s.live), packet_(allocPacket())
{
    const AVOutputFormat* container = av_guess_format(nullptr, s.path.c_str(), nullptr);
    if (!container)
        throw VideoError("Cannot tell which container " + s.path +
                         " should be from its name; end it in .mp4, .mkv, .webm, .mov or .avi.");
    VideoCodec codec = s.codec.value_or(VideoCodec::H264);
    if (!containerTakes(container, info(codec).id)) {
        if (s.codec)
            throw VideoError(std::string("The ") + container->name + " container of " + s.path + " cannot hold " +
                             info(codec).name + " video; pick another --codec or end the name in .mkv.");
        codec = VideoCodec::Vp9;  // WebM's own
    }

    AVFormatContext* raw = nullptr;
    checkAv(avformat_alloc_output_context2(&raw, container, nullptr, s.path.c_str()), "Preparing " + s.path);
    format_.reset(raw);

    const AVCodec* encoder = avcodec_find_encoder_by_name(info(codec).encoder);
    if (!encoder)
        encoder = avcodec_find_encoder(info(codec).id);
    if (!encoder)
        throw VideoError(std::string("This FFmpeg build has no ") + info(codec).name + " encoder (" +
                         info(codec).encoder + ").");
    encoder_.reset(avcodec_alloc_context3(encoder));
    if (!encoder_)
        throw std::bad_alloc();
    // 4:2:0 needs even sizes.
    encoder_->width = (s.size.width + 1) & ~1;
    encoder_->height = (s.size.height + 1) & ~1;
    encoder_->pix_fmt = AV_PIX_FMT_YUV420P;
    encoder_->time_base = s.timeBase;
    encoder_->framerate = av_d2q(s.frameRate, 100000);
    encoder_->sample_aspect_ratio = {1, 1};
    encoder_->color_primaries = AVCOL_PRI_BT709;
    encoder_->color_trc = AVCOL_TRC_BT709;
    encoder_->colorspace = AVCOL_SPC_BT709;
    encoder_->color_range = AVCOL_RANGE_MPEG;
    if (s.live)
        encoder_->gop_size = std::max(1, static_cast<int>(s.frameRate * 2));  // a keyframe (and fragment) every 2 s
    if (container->flags & AVFMT_GLOBALHEADER)
        encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    DictionaryPtr options = encoderOptions(s, codec, encoder_.get());
    AVDictionary* optionsIn = options.release();
    const int opened = avcodec_open2(encoder_.get(), encoder, &optionsIn);
    options.reset(optionsIn);
    if (opened < 0)
        throw VideoError(std::string("Cannot start the ") + encoder->name + " encoder at " +
                         std::to_string(encoder_->width) + "x" + std::to_string(encoder_->height) + ": " +
                         averrorText(opened) + ".");

    videoStream_ = avformat_new_stream(format_.get(), nullptr);
    if (!videoStream_)
        throw std::bad_alloc();
    checkAv(avcodec_parameters_from_context(videoStream_->codecpar, encoder_.get()), "Setting up the video stream");
    videoStream_->time_base = encoder_->time_base;
    videoStream_->avg_frame_rate = encoder_->framerate;

    if (audioSource) {
        try {
            audio_ = std::make_unique<AudioOutput>(format_.get(), audioSource, startUs, sourceLabel);
        } catch (const VideoError& e) {
            audioProblem_ = std::string(e.what()) + " The export has no sound.";  // the picture still matters
        }
    }

    if (!(container->flags & AVFMT_NOFILE)) {
        const int r = avio_open(&format_->pb, file_.writePath().c_str(), AVIO_FLAG_WRITE);
        if (r == AVERROR(ENOENT)) {
            // A folder that is there but takes no new files (/proc, /sys) answers ENOENT too.
            const std::filesystem::path folder = std::filesystem::path(s.path).parent_path();
            std::error_code ignored;
            if (folder.empty() || std::filesystem::is_directory(folder, ignored))
                throw VideoError("Cannot create " + s.path + ": its folder takes no new files; choose another one.");
            throw VideoError("Cannot create " + s.path + ": its folder does not exist.");
        }
        if (r == AVERROR(EACCES) || r == AVERROR(EPERM) || r == AVERROR(EROFS))
            throw VideoError("Cannot create " + s.path + ": permission denied; choose a folder you can write to.");
        if (r == AVERROR(EISDIR))
            throw VideoError("Cannot create " + s.path + ": it is a folder.");
        checkAv(r, "Cannot create " + s.path);
    }
    AVDictionary* muxOptions = nullptr;
    if (s.live) {
        // A kill mid-recording leaves a playable file: MP4 in self-contained fragments,
        // and every container flushed packet by packet.
        av_dict_set(&muxOptions, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
        av_dict_set(&muxOptions, "flush_packets", "1", 0);
    }
    const int header = avformat_write_header(format_.get(), &muxOptions);
    av_dict_free(&muxOptions);
    if (header < 0)
        throwWriteError(header);
    headerWritten_ = true;
}

MediaOutput::~MediaOutput() = default;

std::string MediaOutput::audioDescription() const
{
    return audio_ ? audio_->description() : std::string();
}

std::int64_t MediaOutput::audioPacketsDropped() const
{
    return audio_ ? audio_->packetsDropped() : 0;
}

FramePtr MediaOutput::newVideoFrame()
{
    return pool_.get(encoder_->pix_fmt, encoder_->width, encoder_->height);
}

void MediaOutput::writeVideo(TimedFrame frame)
{
    std::int64_t pts = av_rescale_q(frame.us, kMicroseconds, encoder_->time_base);
    if (lastPts_ != AV_NOPTS_VALUE && pts <= lastPts_)
        pts = lastPts_ + 1;
    lastPts_ = pts;
    lastUs_ = frame.us;
    frame.frame->pts = pts;
    frame.frame->pict_type = AV_PICTURE_TYPE_NONE;  // let the encoder choose
    durations_[pts] = std::max<std::int64_t>(1, av_rescale_q(frame.durationUs, kMicroseconds, encoder_->time_base));
    sendVideo(frame.frame.get());
    ++videoFrames_;
}

void MediaOutput::finishVideo()
{
    sendVideo(nullptr);
}

void MediaOutput::sendVideo(AVFrame* frame)
{
    const int sent = avcodec_send_frame(encoder_.get(), frame);
    if (sent < 0 && sent != AVERROR_EOF)
        throw VideoError(std::string("The ") + encoder_->codec->name + " encoder failed: " + averrorText(sent) + ".");
    for (;;) {
        const int r = avcodec_receive_packet(encoder_.get(), packet_.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return;
        if (r < 0)
            throw VideoError(std::string("The ") + encoder_->codec->name + " encoder failed: " + averrorText(r) + ".");
        if (auto it = durations_.find(packet_->pts); it != durations_.end()) {
            if (packet_->duration <= 0)
                packet_->duration = it->second;
            durations_.erase(it);
        }
        av_packet_rescale_ts(packet_.get(), encoder_->time_base, videoStream_->time_base);
        packet_->stream_index = videoStream_->index;
        writePacket(packet_.get());
    }
}

void MediaOutput::writeAudio(AVPacket* packet)
{
    if (audio_)
        audio_->write(packet, [this](AVPacket* p) { writePacket(p); });
}

void MediaOutput::finishAudio()
{
    if (audio_)
        audio_->finish([this](AVPacket* p) { writePacket(p); });
}

void MediaOutput::writePacket(AVPacket* packet)
{
    std::lock_guard lock(muxMutex_);
    const int r = av_interleaved_write_frame(format_.get(), packet);  // takes the packet's data
    if (r < 0)
        throwWriteError(r);
    file_.commit();
}

void MediaOutput::close()
{
    std::lock_guard lock(muxMutex_);
    if (!headerWritten_)
        return;
    headerWritten_ = false;
    int r = av_write_trailer(format_.get());
    if (r >= 0 && format_->pb && !(format_->oformat->flags & AVFMT_NOFILE)) {
        avio_flush(format_->pb);
        r = format_->pb->error;
        const int closed = avio_closep(&format_->pb);
        if (r >= 0)
            r = closed;
    }
    if (r < 0)
        throwWriteError(r);
}

std::int64_t MediaOutput::bytesWritten() const
{
    return format_->pb ? avio_tell(format_->pb) : 0;
}

void MediaOutput::throwWriteError(int code) const
{
    if (code == AVERROR(ENOSPC))
        throw VideoError("Writing " + path_ + " failed: the disk is full; free some space and try again.");
    if (code == AVERROR(EDQUOT))
        throw VideoError("Writing " + path_ + " failed: your disk quota is used up.");
    throw VideoError("Writing " + path_ + " failed: " + averrorText(code) + ".");
}

}  // namespace stylize::video
