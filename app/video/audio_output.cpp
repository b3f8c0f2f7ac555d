// AudioOutput: stream copy with a start shift, or decode → resample → FIFO → encode.
#include "video/audio_output.h"

#include <cstring>

#include "video/av_error.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

namespace stylize::video {
namespace {

bool isMp4Family(const AVOutputFormat* format)
{
    const std::string name = format->name;
    return name.find("mp4") != std::string::npos || name.find("mov") != std::string::npos;
}

// MP4/MOV technically take more (Vorbis...), but players only expect these.
bool playsInMp4(AVCodecID id)
{
    switch (id) {
        case AV_CODEC_ID_AAC:
        case AV_CODEC_ID_MP3:
        case AV_CODEC_ID_AC3:
        case AV_CODEC_ID_EAC3:
        case AV_CODEC_ID_ALAC:
        case AV_CODEC_ID_OPUS:
            return true;
        default:
            return false;
    }
}

int chooseSampleRate(const AVCodec* encoder, int wanted)
{
    if (!encoder->supported_samplerates)
        return wanted;
    int best = encoder->supported_samplerates[0];
    for (const int* r = encoder->supported_samplerates; *r; ++r) {
        if (*r == wanted)
            return wanted;
        if (std::abs(*r - wanted) < std::abs(best - wanted))
            best = *r;
    }
    return best;
}

void chooseLayout(const AVCodec* encoder, const AVChannelLayout& source, AVChannelLayout* out)
{
    if (encoder->ch_layouts) {
        for (const AVChannelLayout* l = encoder->ch_layouts; l->nb_channels; ++l)
            if (av_channel_layout_compare(l, &source) == 0) {
                av_channel_layout_copy(out, l);
                return;
            }
        av_channel_layout_copy(out, &encoder->ch_layouts[0]);
        if (source.nb_channels <= 2) {
            AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
            av_channel_layout_copy(out, &stereo);
        }
        return;
    }
    if (source.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(out, source.nb_channels);
    else
        av_channel_layout_copy(out, &source);
}

}  // namespace

AudioOutput::AudioOutput(AVFormatContext* output, const AVStream* source, std::int64_t startUs,
                         const std::string& label)
    : source_(source), startOffset_(av_rescale_q(startUs, AVRational{1, 1000000}, source->time_base))
{
    const AVCodecID sourceCodec = source->codecpar->codec_id;
    const AVCodecID target = isMp4Family(output->oformat) ? AV_CODEC_ID_AAC : output->oformat->audio_codec;
    copy_ = avformat_query_codec(output->oformat, sourceCodec, FF_COMPLIANCE_NORMAL) == 1 &&
            (!isMp4Family(output->oformat) || playsInMp4(sourceCodec));
    if (copy_) {
        // The stream is added only once its decoder opened: damaged codec headers would
        // otherwise be copied into a file nothing can play.
        if (const AVCodec* decoder = avcodec_find_decoder(sourceCodec)) {
            validator_.reset(avcodec_alloc_context3(decoder));
            if (!validator_)
                throw std::bad_alloc();
            if (avcodec_parameters_to_context(validator_.get(), source->codecpar) < 0 ||
                avcodec_open2(validator_.get(), decoder, nullptr) < 0)
                throw VideoError("The audio of " + label + " is damaged (its " + avcodec_get_name(sourceCodec) +
                                 " header cannot be read).");
            watchLogErrors(validator_.get());
        }
        stream_ = avformat_new_stream(output, nullptr);
        if (!stream_)
            throw std::bad_alloc();
        checkAv(avcodec_parameters_copy(stream_->codecpar, source->codecpar), "Copying the audio parameters");
        stream_->codecpar->codec_tag = 0;  // the output container picks its own tag
        stream_->time_base = source->time_base;
        description_ = std::string("copied (") + avcodec_get_name(sourceCodec) + ")";
        if (!decoded_)
            decoded_ = allocFrame();
        return;
    }

    const AVCodec* decoder = avcodec_find_decoder(sourceCodec);
    const AVCodec* encoder = target == AV_CODEC_ID_NONE ? nullptr : avcodec_find_encoder(target);
    if (!decoder)
        throw VideoError(label + " has audio in '" + avcodec_get_name(sourceCodec) +
                         "', which this FFmpeg build cannot decode, and the output container cannot hold it as is.");
    if (!encoder)
        throw VideoError(std::string("No audio encoder for the ") + output->oformat->name + " container is available.");
    decoder_.reset(avcodec_alloc_context3(decoder));
    encoder_.reset(avcodec_alloc_context3(encoder));
    if (!decoder_ || !encoder_)
        throw std::bad_alloc();
    checkAv(avcodec_parameters_to_context(decoder_.get(), source->codecpar),
            "Reading the audio parameters of " + label);
    decoder_->pkt_timebase = source->time_base;
    if (avcodec_open2(decoder_.get(), decoder, nullptr) < 0)
        throw VideoError("The audio of " + label + " is damaged (its " + avcodec_get_name(sourceCodec) +
                         " header cannot be read).");

    AVChannelLayout sourceLayout{};
    if (decoder_->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&sourceLayout, decoder_->ch_layout.nb_channels);
    else
        av_channel_layout_copy(&sourceLayout, &decoder_->ch_layout);
    chooseLayout(encoder, sourceLayout, &encoder_->ch_layout);
    encoder_->sample_rate = chooseSampleRate(encoder, decoder_->sample_rate);
    encoder_->sample_fmt = encoder->sample_fmts ? encoder->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
    encoder_->bit_rate = 96000LL * std::max(1, encoder_->ch_layout.nb_channels);
    encoder_->time_base = {1, encoder_->sample_rate};
    if (output->oformat->flags & AVFMT_GLOBALHEADER)
        encoder_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    checkAv(avcodec_open2(encoder_.get(), encoder, nullptr),
            std::string("Starting the ") + encoder->name + " audio encoder");
    stream_ = avformat_new_stream(output, nullptr);
    if (!stream_)
        throw std::bad_alloc();
    checkAv(avcodec_parameters_from_context(stream_->codecpar, encoder_.get()), "Setting up the audio stream");
    stream_->time_base = encoder_->time_base;

    SwrContext* swr = nullptr;
    checkAv(swr_alloc_set_opts2(&swr, &encoder_->ch_layout, encoder_->sample_fmt, encoder_->sample_rate, &sourceLayout,
                                decoder_->sample_fmt, decoder_->sample_rate, 0, nullptr),
            "Setting up the audio resampler");
    resampler_.reset(swr);
    av_channel_layout_uninit(&sourceLayout);
    checkAv(swr_init(resampler_.get()), "Starting the audio resampler");
    fifo_.reset(av_audio_fifo_alloc(encoder_->sample_fmt, encoder_->ch_layout.nb_channels, 4096));
    if (!fifo_)
        throw std::bad_alloc();
    decoded_ = allocFrame();
    description_ = std::string("re-encoded ") + avcodec_get_name(sourceCodec) + " → " + encoder->name;
}

AudioOutput::~AudioOutput()
{
    if (validator_)
        unwatchLogErrors(validator_.get());
}

void AudioOutput::write(AVPacket* packet, const Writer& writer)
{
    if (copy_) {
        if (validator_) {
            const int errorsBefore = logErrorsOf(validator_.get());
            bool damaged = avcodec_send_packet(validator_.get(), packet) < 0;
            while (avcodec_receive_frame(validator_.get(), decoded_.get()) >= 0)
                av_frame_unref(decoded_.get());
            if (damaged || logErrorsOf(validator_.get()) != errorsBefore) {
                ++packetsDropped_;
                return;
            }
        }
        if (packet->pts != AV_NOPTS_VALUE)
            packet->pts -= startOffset_;
        if (packet->dts != AV_NOPTS_VALUE)
            packet->dts -= startOffset_;
        av_packet_rescale_ts(packet, source_->time_base, stream_->time_base);
        packet->stream_index = stream_->index;
        packet->pos = -1;
        writer(packet);
        ++packetsWritten_;
        return;
    }
    // Damaged audio packets are skipped: the video matters more than a click of sound.
    if (avcodec_send_packet(decoder_.get(), packet) < 0 && packet)
        return;
    for (;;) {
        const int r = avcodec_receive_frame(decoder_.get(), decoded_.get());
        if (r < 0)
            break;
        if (nextPts_ == AV_NOPTS_VALUE) {
            const std::int64_t ts = decoded_->best_effort_timestamp;
            nextPts_ = ts == AV_NOPTS_VALUE
                           ? 0
                           : std::max<std::int64_t>(
                                 0, av_rescale_q(ts - startOffset_, source_->time_base, encoder_->time_base));
        }
        FramePtr converted = allocFrame();
        av_channel_layout_copy(&converted->ch_layout, &encoder_->ch_layout);
        converted->format = encoder_->sample_fmt;
        converted->sample_rate = encoder_->sample_rate;
        checkAv(swr_convert_frame(resampler_.get(), converted.get(), decoded_.get()), "Resampling audio");
        av_frame_unref(decoded_.get());
        if (converted->nb_samples > 0)
            checkAv(av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(converted->data), converted->nb_samples),
                    "Buffering audio");
        encodeFromFifo(false, writer);
    }
}

void AudioOutput::encodeFromFifo(bool flush, const Writer& writer)
{
    const int frameSize = encoder_->frame_size > 0 ? encoder_->frame_size : 1024;
    while (av_audio_fifo_size(fifo_.get()) >= frameSize || (flush && av_audio_fifo_size(fifo_.get()) > 0)) {
        FramePtr chunk = allocFrame();
        chunk->nb_samples = std::min(frameSize, av_audio_fifo_size(fifo_.get()));
        av_channel_layout_copy(&chunk->ch_layout, &encoder_->ch_layout);
        chunk->format = encoder_->sample_fmt;
        chunk->sample_rate = encoder_->sample_rate;
        checkAv(av_frame_get_buffer(chunk.get(), 0), "Allocating audio");
        av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(chunk->data), chunk->nb_samples);
        chunk->pts = nextPts_ == AV_NOPTS_VALUE ? 0 : nextPts_;
        nextPts_ = chunk->pts + chunk->nb_samples;
        sendToEncoder(chunk.get(), writer);
    }
}

void AudioOutput::sendToEncoder(AVFrame* frame, const Writer& writer)
{
    checkAv(avcodec_send_frame(encoder_.get(), frame), "Encoding audio");
    PacketPtr packet = allocPacket();
    while (avcodec_receive_packet(encoder_.get(), packet.get()) >= 0) {
        av_packet_rescale_ts(packet.get(), encoder_->time_base, stream_->time_base);
        packet->stream_index = stream_->index;
        writer(packet.get());
        ++packetsWritten_;
        av_packet_unref(packet.get());
    }
}

void AudioOutput::finish(const Writer& writer)
{
    if (copy_)
        return;
    write(nullptr, writer);  // drains the decoder
    // What the resampler still holds.
    FramePtr rest = allocFrame();
    av_channel_layout_copy(&rest->ch_layout, &encoder_->ch_layout);
    rest->format = encoder_->sample_fmt;
    rest->sample_rate = encoder_->sample_rate;
    if (swr_convert_frame(resampler_.get(), rest.get(), nullptr) >= 0 && rest->nb_samples > 0)
        av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(rest->data), rest->nb_samples);
    encodeFromFifo(true, writer);
    sendToEncoder(nullptr, writer);
}

}  // namespace stylize::video
