// VideoDecoder: send/receive with damage counting, timestamps into microseconds.
#include "video/video_decoder.h"

#include <cmath>

#include "video/av_error.h"

namespace stylize::video {

VideoDecoder::VideoDecoder(const MediaInput& input)
    : input_(input), converter_(input.rotation()), decoded_(allocFrame())
{
    const AVStream* stream = input.videoStream();
    const AVCodec* decoder = avcodec_find_decoder(stream->codecpar->codec_id);
    if (!decoder && stream->codecpar->codec_id == AV_CODEC_ID_NONE)
        throw VideoError(input.label() + " uses a video codec FFmpeg does not know, so it cannot be decoded.");
    if (!decoder)
        throw VideoError(input.label() + " uses the video codec '" + avcodec_get_name(stream->codecpar->codec_id) +
                         "', which this FFmpeg build cannot decode.");
    codec_.reset(avcodec_alloc_context3(decoder));
    if (!codec_)
        throw std::bad_alloc();
    checkAv(avcodec_parameters_to_context(codec_.get(), stream->codecpar),
            "Reading the video parameters of " + input.label());
    codec_->pkt_timebase = stream->time_base;
    codec_->thread_count = 0;  // FFmpeg picks (frame threads on most codecs)
    const int r = avcodec_open2(codec_.get(), decoder, nullptr);
    if (r < 0)
        throw VideoError("Cannot start the " + std::string(decoder->name) + " decoder for " + input.label() + ": " +
                         averrorText(r) + ".");
    timeBase_ = stream->time_base;
    defaultDurationUs_ = std::llround(1e6 / input.frameRate());
}

void VideoDecoder::decode(const AVPacket* packet, const Sink& sink)
{
    const int r = avcodec_send_packet(codec_.get(), packet);
    if (r == AVERROR(EAGAIN)) {
        // The decoder's output is full: take frames out, then the packet goes in.
        receive(sink);
        decode(packet, sink);
        return;
    }
    if (r < 0 && r != AVERROR_EOF) {
        if (r == AVERROR(ENOMEM))
            throw std::bad_alloc();
        // A damaged packet: skip it, keep decoding what follows.
        ++damaged_;
        if (firstDamage_.empty())
            firstDamage_ = averrorText(r);
    }
    receive(sink);
}

void VideoDecoder::receive(const Sink& sink)
{
    for (;;) {
        const int r = avcodec_receive_frame(codec_.get(), decoded_.get());
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return;
        if (r < 0) {
            ++damaged_;
            if (firstDamage_.empty())
                firstDamage_ = averrorText(r);
            // Decoders report a broken frame once and then carry on; stop only if it persists.
            if (damaged_ > 1000)
                throw VideoError("Decoding " + input_.label() + " failed: " + averrorText(r) + ".");
            continue;
        }
        if (decoded_->flags & AV_FRAME_FLAG_CORRUPT) {
            ++damaged_;
            if (firstDamage_.empty())
                firstDamage_ = "a frame decoded with errors";
        }
        TimedFrame out;
        std::int64_t duration = decoded_->pkt_duration > 0
                                    ? av_rescale_q(decoded_->pkt_duration, timeBase_, kMicroseconds)
                                    : defaultDurationUs_;
        const std::int64_t ts = decoded_->best_effort_timestamp;
        if (ts != AV_NOPTS_VALUE)
            out.us = av_rescale_q(ts, timeBase_, kMicroseconds) - input_.startUs();
        else
            out.us = lastUs_ < 0 ? 0 : lastUs_ + duration;
        out.durationUs = duration;
        lastUs_ = out.us;
        FramePtr frame(av_frame_alloc());
        if (!frame)
            throw std::bad_alloc();
        av_frame_move_ref(frame.get(), decoded_.get());
        out.frame = converter_.convert(std::move(frame));
        ++framesDecoded_;
        sink(std::move(out));
    }
}

}  // namespace stylize::video
