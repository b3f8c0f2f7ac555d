// RAII owners for FFmpeg handles, templated on the function that frees them (as OBS's
// OBSPtr): FramePtr, PacketPtr, CodecContextPtr, FormatContextPtr, SwsContextPtr...
#pragma once

#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/buffer.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace stylize::video {

// FFmpeg frees most handles through a pointer to the owning pointer (it nulls it)...
template <class T, void (*Free)(T**)>
struct FreeThroughAddress {
    void operator()(T* p) const { Free(&p); }
};
// ...and a few through the pointer itself.
template <class T, void (*Free)(T*)>
struct FreeByValue {
    void operator()(T* p) const { Free(p); }
};

void closeInput(AVFormatContext* context);   // avformat_close_input
void closeOutput(AVFormatContext* context);  // avio_closep + avformat_free_context

using FramePtr = std::unique_ptr<AVFrame, FreeThroughAddress<AVFrame, av_frame_free>>;
using PacketPtr = std::unique_ptr<AVPacket, FreeThroughAddress<AVPacket, av_packet_free>>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, FreeThroughAddress<AVCodecContext, avcodec_free_context>>;
using InputContextPtr = std::unique_ptr<AVFormatContext, FreeByValue<AVFormatContext, closeInput>>;
using OutputContextPtr = std::unique_ptr<AVFormatContext, FreeByValue<AVFormatContext, closeOutput>>;
using SwsContextPtr = std::unique_ptr<SwsContext, FreeByValue<SwsContext, sws_freeContext>>;
using SwrContextPtr = std::unique_ptr<SwrContext, FreeThroughAddress<SwrContext, swr_free>>;
using AudioFifoPtr = std::unique_ptr<AVAudioFifo, FreeByValue<AVAudioFifo, av_audio_fifo_free>>;
using BufferPoolPtr = std::unique_ptr<AVBufferPool, FreeThroughAddress<AVBufferPool, av_buffer_pool_uninit>>;
using DictionaryPtr = std::unique_ptr<AVDictionary, FreeThroughAddress<AVDictionary, av_dict_free>>;

// Allocation that throws std::bad_alloc instead of returning null.
FramePtr allocFrame();
PacketPtr allocPacket();
// A new reference to the same buffers (no pixel copy).
FramePtr refFrame(const AVFrame* frame);

}  // namespace stylize::video
