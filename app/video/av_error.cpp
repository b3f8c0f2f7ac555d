// Error text, the throwing check and FFmpeg's log routing.
#include "video/av_error.h"

#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>

#include "video/av_ptr.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace stylize::video {
namespace {

std::mutex logMutex;
std::string lastError;               // guarded by logMutex; FFmpeg logs from any thread
bool verboseLog = false;             // written once before any FFmpeg call
std::map<const void*, int> watched;  // guarded by logMutex: error lines per context

void logCallback(void* avcl, int level, const char* format, va_list args)
{
    if (level <= AV_LOG_ERROR && avcl) {
        std::lock_guard lock(logMutex);
        if (auto it = watched.find(avcl); it != watched.end())
            ++it->second;
    }
    if (verboseLog) {
        av_log_default_callback(avcl, level, format, args);
        return;
    }
    if (level > AV_LOG_ERROR)
        return;
    char line[512];
    int prefix = 1;
    av_log_format_line2(avcl, level, format, args, line, sizeof line, &prefix);
    std::string text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    std::lock_guard lock(logMutex);
    lastError = text;
}

std::once_flag callbackInstalled;

void installCallback()
{
    std::call_once(callbackInstalled, [] { av_log_set_callback(logCallback); });
}

}  // namespace

void watchLogErrors(const void* context)
{
    installCallback();
    std::lock_guard lock(logMutex);
    watched[context] = 0;
}

void unwatchLogErrors(const void* context)
{
    std::lock_guard lock(logMutex);
    watched.erase(context);
}

int logErrorsOf(const void* context)
{
    std::lock_guard lock(logMutex);
    auto it = watched.find(context);
    return it == watched.end() ? 0 : it->second;
}

void closeInput(AVFormatContext* context)
{
    avformat_close_input(&context);
}

void closeOutput(AVFormatContext* context)
{
    if (!context)
        return;
    if (context->pb && !(context->oformat->flags & AVFMT_NOFILE))
        avio_closep(&context->pb);
    avformat_free_context(context);
}

FramePtr allocFrame()
{
    FramePtr frame(av_frame_alloc());
    if (!frame)
        throw std::bad_alloc();
    return frame;
}

PacketPtr allocPacket()
{
    PacketPtr packet(av_packet_alloc());
    if (!packet)
        throw std::bad_alloc();
    return packet;
}

FramePtr refFrame(const AVFrame* frame)
{
    FramePtr copy(av_frame_clone(frame));
    if (!copy)
        throw std::bad_alloc();
    return copy;
}

std::string averrorText(int code)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

int checkAv(int code, const std::string& context)
{
    if (code < 0)
        throw VideoError(context + ": " + averrorText(code) + ".");
    return code;
}

void configureFfmpegLog(bool verbose)
{
    verboseLog = verbose;
    av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_ERROR);
    installCallback();
}

std::string lastFfmpegLogError()
{
    std::lock_guard lock(logMutex);
    return lastError;
}

}  // namespace stylize::video
