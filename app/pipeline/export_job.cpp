// ExportJob: the three stage threads of a file export and their hand-over.
#include "pipeline/export_job.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "pipeline/frame_queue.h"
#include "pipeline/stage_support.h"
#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/media_input.h"
#include "video/media_output.h"
#include "video/partial_file.h"
#include "video/video_decoder.h"

namespace stylize::pipeline {

using video::TimedFrame;
using Clock = std::chrono::steady_clock;

struct ExportJob::Impl {
    ExportConfig config;
    PipelinedStylize stylize;

    std::mutex stateMutex;
    std::condition_variable stateChanged;
    bool cancelRequested = false;        // stateMutex
    video::MediaInput* input = nullptr;  // stateMutex: set while open, so cancel() can interrupt reads
    FrameQueue<TimedFrame>* queues[2] = {nullptr, nullptr};  // stateMutex: live queues, for cancel()
    int runningStages = 0;                                   // stateMutex

    std::atomic<std::int64_t> framesRead{0};     // written by the decode thread
    std::atomic<std::int64_t> framesWritten{0};  // written by the encode thread
    FailureLatch failure;

    void stopAll();
    void stageDone();
    ExportResult run(const std::function<void(const ExportProgress&)>& onProgress);
};

ExportJob::ExportJob(ExportConfig config, StylizeFunction stylize)
    : ExportJob(std::move(config), PipelinedStylize{std::move(stylize), [] {}, 1})
{
}

ExportJob::ExportJob(ExportConfig config, PipelinedStylize stylize) : impl_(std::make_unique<Impl>())
{
    if (!stylize.submit || !stylize.collect || stylize.depth < 1)
        throw std::invalid_argument("ExportJob: a pipelined stylizer needs submit, collect and a depth of 1 or more");
    impl_->config = std::move(config);
    impl_->stylize = std::move(stylize);
}

ExportJob::~ExportJob() = default;

void ExportJob::cancel()
{
    std::lock_guard lock(impl_->stateMutex);
    impl_->cancelRequested = true;
    if (impl_->input)
        impl_->input->interrupt();
    for (auto* q : impl_->queues)
        if (q)
            q->cancel();
    impl_->stateChanged.notify_all();
}

void ExportJob::Impl::stopAll()
{
    std::lock_guard lock(stateMutex);
    if (input)
        input->interrupt();
    for (auto* q : queues)
        if (q)
            q->cancel();
    stateChanged.notify_all();
}

void ExportJob::Impl::stageDone()
{
    std::lock_guard lock(stateMutex);
    --runningStages;
    stateChanged.notify_all();
}

ExportResult ExportJob::run(const std::function<void(const ExportProgress&)>& onProgress)
{
    return impl_->run(onProgress);
}

namespace {

render::Size outputSizeFor(const ExportConfig& config, render::Size input)
{
    if (!config.size.empty())
        return config.size;
    if (config.scale > 0)
        return {std::max(8, static_cast<int>(std::lround(input.width * config.scale))),
                std::max(8, static_cast<int>(std::lround(input.height * config.scale)))};
    return input;
}

std::string sizeText(render::Size s)
{
    return std::to_string(s.width) + "x" + std::to_string(s.height);
}

// The encoder's time base: the source's own when it is no finer than a microsecond, so
// its timestamps (and a variable frame rate) come through unchanged.
AVRational encoderTimeBase(const AVStream* source)
{
    const AVRational tb = source->time_base;
    if (tb.num > 0 && tb.den > 0 && double(tb.den) / tb.num <= 1e6)
        return tb;
    return video::kMicroseconds;
}

std::vector<std::string> droppedStreamNotices(const video::MediaInput& input)
{
    std::vector<std::string> notices;
    AVFormatContext* f = input.format();
    for (unsigned i = 0; i < f->nb_streams; ++i) {
        if (int(i) == input.videoIndex() || int(i) == input.audioIndex())
            continue;
        const AVCodecParameters* p = f->streams[i]->codecpar;
        const char* type = av_get_media_type_string(p->codec_type);
        notices.push_back("Left out stream " + std::to_string(i) + " (" + (type ? type : "data") + ", " +
                          avcodec_get_name(p->codec_id) + "): the export keeps one video and one audio stream.");
    }
    return notices;
}

}  // namespace

ExportResult ExportJob::Impl::run(const std::function<void(const ExportProgress&)>& onProgress)
{
    const auto started = Clock::now();
    ExportResult result;
    const std::string& outPath = config.output;

    video::refuseOverwritingInput(config.input, outPath);
    video::MediaInput in(video::fileSource(config.input));
    {
        std::lock_guard lock(stateMutex);
        input = &in;
        if (cancelRequested)
            in.interrupt();
    }
    struct ForgetInput {  // cancel() must not touch the input once it is gone
        Impl* self;
        ~ForgetInput()
        {
            std::lock_guard lock(self->stateMutex);
            self->input = nullptr;
            self->queues[0] = self->queues[1] = nullptr;
        }
    } forgetInput{this};

    video::VideoDecoder decoder(in);
    result.inputSize = in.displaySize();
    result.notices = droppedStreamNotices(in);

    video::OutputSettings settings;
    settings.path = outPath;
    if (!config.codec.empty())
        settings.codec = video::parseVideoCodec(config.codec);
    settings.crf = config.crf;
    settings.preset = config.preset;
    settings.size = outputSizeFor(config, result.inputSize);
    settings.frameRate = in.frameRate();
    settings.timeBase = encoderTimeBase(in.videoStream());

    // MediaOutput writes beside outPath and renames on close(): a failure leaves
    // whatever was at outPath as it was.
    std::error_code ec;
    const bool existedBefore = std::filesystem::exists(outPath, ec);
    auto out = std::make_unique<video::MediaOutput>(settings, in.audioStream(), in.startUs(), in.label());
    result.outputSize = out->size();
    result.videoCodec = out->encoderName();
    result.audio = out->audioDescription();
    if (!out->audioProblem().empty())
        result.notices.push_back(out->audioProblem());
    if (!(result.outputSize == settings.size))
        result.notices.push_back(sizeText(settings.size) + " was rounded up to " + sizeText(result.outputSize) +
                                 ": 4:2:0 video needs even sizes.");

    const std::size_t depth = static_cast<std::size_t>(std::clamp(config.queueDepth, 2, 4));
    FrameQueue<TimedFrame> decoded(depth, QueuePolicy::Block), stylized(depth, QueuePolicy::Block);
    {
        std::lock_guard lock(stateMutex);
        queues[0] = &decoded;
        queues[1] = &stylized;
        runningStages = 3;
        if (cancelRequested) {
            decoded.cancel();
            stylized.cancel();
        }
    }

    const auto guard = [this](auto&& body) {
        try {
            body();
        } catch (const StageStopped&) {
        } catch (...) {
            if (failure.set(std::current_exception()))
                stopAll();
        }
        stageDone();
    };

    // Decode thread: demux, decode video into the first queue, pass audio to the muxer.
    std::thread decodeThread([&] {
        guard([&] {
            video::PacketPtr packet = video::allocPacket();
            const auto sink = [&](TimedFrame&& frame) {
                if (!decoded.push(std::move(frame)))
                    throw StageStopped{};
                ++framesRead;
            };
            try {
                while (in.read(packet.get()) == video::ReadStatus::Packet) {
                    if (packet->stream_index == in.videoIndex())
                        decoder.decode(packet.get(), sink);
                    else
                        out->writeAudio(packet.get());
                    av_packet_unref(packet.get());
                }
            } catch (const video::VideoError&) {
                if (!in.interrupted())
                    throw;
                throw StageStopped{};  // cancelled mid-read
            }
            decoder.decode(nullptr, sink);
            out->finishAudio();
            decoded.close();
        });
        decoded.close();
    });

    // Stylize thread: each decoded frame into a pooled frame of the encoder's layout,
    // with up to stylize.depth frames in flight (submitted, not yet collected).
    std::thread stylizeThread([&] {
        std::deque<TimedFrame> inFlight;  // their targets, oldest first
        guard([&] {
            const render::ColorSpace bt709{render::ColorMatrix::Bt709, render::ColorRange::Limited};
            const auto finishOldest = [&] {
                // Out of inFlight first: a collect that throws has given up that frame.
                TimedFrame done = std::move(inFlight.front());
                inFlight.pop_front();
                stylize.collect();
                if (!stylized.push(std::move(done)))
                    throw StageStopped{};
            };
            while (auto item = decoded.pop()) {
                if (inFlight.size() >= static_cast<std::size_t>(stylize.depth))
                    finishOldest();
                video::FramePtr target = out->newVideoFrame();
                stylize.submit(video::frameView(*item->frame), video::mutableFrameView(*target, bt709));
                inFlight.push_back(TimedFrame{std::move(target), item->us, item->durationUs});
            }
            while (!inFlight.empty())
                finishOldest();
        });
        // Stopped early: the engine still holds frames whose targets are in inFlight;
        // collect them (into those targets) so it is left with none.
        stylize.collectLeftOvers(inFlight.size());
        inFlight.clear();
        stylized.close();
    });

    // Encode thread: encoder and muxer; drains the encoder at the end (also after a
    // cancel, so the partial file is complete), not after a failure.
    std::thread encodeThread([&] {
        guard([&] {
            while (auto item = stylized.pop()) {
                out->writeVideo(std::move(*item));
                ++framesWritten;
            }
            if (!failure.failed())
                out->finishVideo();
        });
    });

    const std::int64_t total = in.expectedFrames();
    const auto report = [&](bool done) {
        if (!onProgress)
            return;
        ExportProgress p;
        p.framesDone = framesWritten;
        p.framesTotal = done ? p.framesDone : std::max(total, p.framesDone);
        p.elapsedSeconds = std::chrono::duration<double>(Clock::now() - started).count();
        p.fps = p.elapsedSeconds > 0 ? p.framesDone / p.elapsedSeconds : 0;
        p.etaSeconds = total > 0 && p.fps > 0 ? (p.framesTotal - p.framesDone) / p.fps : -1;
        onProgress(p);
    };
    {
        std::unique_lock lock(stateMutex);
        while (runningStages > 0) {
            stateChanged.wait_for(lock, std::chrono::milliseconds(250));
            if (runningStages == 0)
                break;
            lock.unlock();
            try {
                report(false);
            } catch (...) {  // a throwing callback stops the export like a failed stage
                if (failure.set(std::current_exception()))
                    stopAll();
            }
            lock.lock();
        }
    }
    decodeThread.join();
    stylizeThread.join();
    encodeThread.join();

    bool cancelled;
    {
        std::lock_guard lock(stateMutex);
        cancelled = cancelRequested;
    }
    if (!failure.failed() && !cancelled && framesRead == 0)
        failure.set(std::make_exception_ptr(video::VideoError(
            config.input + " has no video frame that could be decoded; it is damaged or truncated.")));
    if (!failure.failed()) {
        try {
            out->close();
        } catch (...) {
            failure.set(std::current_exception());
        }
    }
    if (failure.failed()) {
        out.reset();  // removes the unfinished file
        std::string message = failure.message();
        message += existedBefore ? " The unfinished export was removed; the existing " + outPath + " is unchanged."
                                 : " The unfinished export was removed.";
        throw video::VideoError(message);
    }

    if (!cancelled)
        report(true);
    if (out->audioPacketsDropped() > 0)
        result.notices.push_back("Left out " + std::to_string(out->audioPacketsDropped()) +
                                 " damaged audio packet(s) of " + config.input + ".");
    result.framesRead = framesRead;
    result.framesWritten = framesWritten;
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    result.outputSeconds = (out->lastVideoUs() + std::llround(1e6 / in.frameRate())) / 1e6;
    if (result.framesWritten == 0)
        result.outputSeconds = 0;
    if (cancelled) {
        result.outcome = ExportOutcome::Cancelled;
        return result;
    }
    // Damage: packets the decoder rejected, a read that stopped at bad data, or video
    // that ends well before the length the container states.
    std::string damage;
    if (decoder.damagedPackets() > 0)
        damage = std::to_string(decoder.damagedPackets()) + " damaged packet(s) could not be decoded (" +
                 decoder.firstDamage() + ")";
    if (!in.damage().empty())
        damage += (damage.empty() ? "" : "; ") + in.damage();
    const AVStream* vs = in.videoStream();
    double statedSeconds = 0;
    if (vs->duration != AV_NOPTS_VALUE && vs->duration > 0)
        statedSeconds = vs->duration * av_q2d(vs->time_base);
    else if (in.format()->duration > 0)
        statedSeconds = in.format()->duration / double(AV_TIME_BASE);
    if (statedSeconds > 0 && result.outputSeconds + 1.0 < statedSeconds) {
        char text[160];
        std::snprintf(text, sizeof text, "its video stops at %.1f s of the %.1f s the file states (truncated?)",
                      result.outputSeconds, statedSeconds);
        damage += (damage.empty() ? "" : "; ") + std::string(text);
    }
    if (!damage.empty()) {
        result.outcome = ExportOutcome::CompletedWithDamage;
        result.damage = config.input + " is damaged: " + damage + ".";
    }
    return result;
}

}  // namespace stylize::pipeline
