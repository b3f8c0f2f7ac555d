// LiveSession: capture, stylize and record threads joined by drop-oldest queues.
#include "pipeline/live_session.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "pipeline/frame_queue.h"
#include "pipeline/stage_support.h"
#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/media_input.h"
#include "video/media_output.h"
#include "video/video_decoder.h"

extern "C" {
#include <libavutil/time.h>
}

namespace stylize::pipeline {

using video::TimedFrame;
using Clock = std::chrono::steady_clock;

namespace {

// The first frame only warms the stylizer up (its plan is built and its shaders
// compiled, which takes seconds); the clock, the counts and the recording start after.
struct LiveItem {
    TimedFrame frame;
    bool warmUp = false;
};

}  // namespace

struct LiveSession::Impl {
    LiveConfig config;
    StylizeFunction stylize;
    FrameCallback onFrame;

    std::mutex stateMutex;
    std::condition_variable stateChanged;
    bool stopRequested = false;          // stateMutex
    video::MediaInput* input = nullptr;  // stateMutex: while open, so stop() can interrupt a read
    int runningStages = 0;               // stateMutex

    std::atomic<std::int64_t> captured{0};    // capture thread
    std::atomic<std::int64_t> stylized{0};    // stylize thread
    std::atomic<std::int64_t> recorded{0};    // record thread
    std::atomic<std::int64_t> sourceUs{0};    // capture thread: source time of the last frame
    std::atomic<double> msPerFrame{0};        // stylize thread
    std::atomic<bool> sourceEnded{false};     // capture thread
    std::atomic<bool> warmedUp{false};        // set by the stylize thread after its first frame
    std::atomic<std::int64_t> runStartUs{0};  // stylize thread: av_gettime_relative() when warmed up
    FailureLatch failure;                     // stylize/record failures: stop everything
    FailureLatch sourceFailure;               // capture failures: finish the recording, then report

    bool stopping()
    {
        std::lock_guard lock(stateMutex);
        return stopRequested;
    }
    void stageDone()
    {
        std::lock_guard lock(stateMutex);
        --runningStages;
        stateChanged.notify_all();
    }
    LiveResult run(const std::function<void(const LiveStats&)>& onStats);
};

LiveSession::LiveSession(LiveConfig config, StylizeFunction stylize, FrameCallback onFrame)
    : impl_(std::make_unique<Impl>())
{
    impl_->config = std::move(config);
    impl_->stylize = std::move(stylize);
    impl_->onFrame = std::move(onFrame);
}

LiveSession::~LiveSession() = default;

void LiveSession::stop()
{
    std::lock_guard lock(impl_->stateMutex);
    impl_->stopRequested = true;
    if (impl_->input)
        impl_->input->interrupt();
    impl_->stateChanged.notify_all();
}

LiveResult LiveSession::run(const std::function<void(const LiveStats&)>& onStats)
{
    return impl_->run(onStats);
}

LiveResult LiveSession::Impl::run(const std::function<void(const LiveStats&)>& onStats)
{
    video::SourceSpec spec = video::resolveSource(config.source);
    spec.captureSize = config.captureSize;
    spec.captureFps = config.captureFps;
    video::MediaInput in(spec);
    {
        std::lock_guard lock(stateMutex);
        input = &in;
        if (stopRequested)
            in.interrupt();
    }
    struct ForgetInput {
        Impl* self;
        ~ForgetInput()
        {
            std::lock_guard lock(self->stateMutex);
            self->input = nullptr;
        }
    } forgetInput{this};
    video::VideoDecoder decoder(in);

    LiveResult result;
    result.sourceLabel = in.label();
    result.stats.sourceSize = in.displaySize();
    const render::Size viewSize = config.viewSize.empty() ? in.displaySize() : config.viewSize;

    std::unique_ptr<video::MediaOutput> out;
    if (!config.record.empty()) {
        video::OutputSettings settings;
        settings.path = config.record;
        if (!config.codec.empty())
            settings.codec = video::parseVideoCodec(config.codec);
        settings.crf = config.crf;
        settings.preset = config.preset;
        settings.size = !config.recordSize.empty() ? config.recordSize : viewSize;
        settings.frameRate = in.frameRate();
        settings.timeBase = {1, 90000};
        settings.live = true;
        out = std::make_unique<video::MediaOutput>(settings);
        result.recordCodec = out->encoderName();
    }
    // The stylizer writes the encoder's layout itself unless a view needs RGBA.
    const bool directToEncoder = out && !config.view;

    const std::size_t depth = static_cast<std::size_t>(std::clamp(config.queueDepth, 2, 4));
    FrameQueue<LiveItem> captureQueue(depth, QueuePolicy::DropOldest);
    FrameQueue<TimedFrame> recordQueue(4, QueuePolicy::DropOldest);
    {
        std::lock_guard lock(stateMutex);
        runningStages = 3;
    }
    const auto cancelAll = [&] {
        captureQueue.cancel();
        recordQueue.cancel();
        std::lock_guard lock(stateMutex);
        in.interrupt();
    };
    const auto guard = [&](FailureLatch& latch, auto&& body) {
        try {
            body();
        } catch (const StageStopped&) {
        } catch (...) {
            if (latch.set(std::current_exception()) && &latch == &failure)
                cancelAll();
        }
        stageDone();
    };

    std::thread captureThread([&] {
        guard(sourceFailure, [&] {
            video::PacketPtr packet = video::allocPacket();
            std::int64_t originUs = AV_NOPTS_VALUE;
            const std::int64_t limitUs = config.seconds > 0 ? std::llround(config.seconds * 1e6) : INT64_MAX;
            std::int64_t wallStart = 0;
            bool timeUp = false, warmUpSent = false;
            const auto sink = [&](TimedFrame&& frame) {
                if (!warmedUp) {
                    // Frames arriving while the stylizer warms up are not part of the run.
                    if (!warmUpSent && !captureQueue.push(LiveItem{std::move(frame), true}))
                        throw StageStopped{};  // a later stage failed and cancelled the queue
                    warmUpSent = true;
                    return;
                }
                if (originUs == AV_NOPTS_VALUE) {
                    originUs = frame.us;
                    wallStart = av_gettime_relative();
                }
                frame.us -= originUs;
                if (frame.us >= limitUs || timeUp) {
                    timeUp = true;
                    return;
                }
                // A file plays at its own pace, like a camera delivers.
                if (spec.kind == video::SourceKind::File) {
                    const std::int64_t wait = wallStart + frame.us - av_gettime_relative();
                    if (wait > 0)
                        av_usleep(static_cast<unsigned>(std::min<std::int64_t>(wait, 1'000'000)));
                }
                sourceUs = frame.us;
                ++captured;
                // A cancelled queue means a later stage failed (the encoder, a full disk):
                // stop reading, since some sources (lavfi) never look at the interrupt flag.
                if (!captureQueue.push(LiveItem{std::move(frame), false}))
                    throw StageStopped{};
            };
            try {
                while (!timeUp && !stopping() && in.read(packet.get()) == video::ReadStatus::Packet) {
                    if (packet->stream_index == in.videoIndex())
                        decoder.decode(packet.get(), sink);
                    av_packet_unref(packet.get());
                }
                if (!timeUp && !stopping()) {
                    // A camera has no end: if it stops, it went away.
                    if (spec.kind == video::SourceKind::Camera)
                        throw video::VideoError(in.label() + " stopped delivering frames; was it unplugged?");
                    decoder.decode(nullptr, sink);
                    sourceEnded = !timeUp;
                }
            } catch (const video::VideoError&) {
                if (!stopping() && !failure.failed())
                    throw;
            }
        });
        captureQueue.close();
    });

    std::thread stylizeThread([&] {
        guard(failure, [&] {
            video::FramePool viewPool;
            const render::ColorSpace bt709{render::ColorMatrix::Bt709, render::ColorRange::Limited};
            while (auto live = captureQueue.pop()) {
                TimedFrame* item = &live->frame;
                video::FramePtr target = directToEncoder
                                             ? out->newVideoFrame()
                                             : viewPool.get(AV_PIX_FMT_RGBA, viewSize.width, viewSize.height);
                const render::FrameView original = video::frameView(*item->frame);
                const auto t0 = Clock::now();
                stylize(original, video::mutableFrameView(*target, bt709));
                if (live->warmUp) {
                    runStartUs = av_gettime_relative();
                    warmedUp = true;
                    continue;
                }
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                msPerFrame = msPerFrame == 0 ? ms : msPerFrame * 0.8 + ms * 0.2;
                ++stylized;
                if (onFrame && config.view)
                    onFrame(original, video::frameView(*target));
                if (out)
                    recordQueue.push(TimedFrame{std::move(target), item->us, item->durationUs});
            }
        });
        recordQueue.close();
    });

    std::thread recordThread([&] {
        guard(failure, [&] {
            video::FrameScaler scaler;
            while (auto item = recordQueue.pop()) {
                if (!directToEncoder)
                    item->frame = scaler.scale(*item->frame, out->pixelFormat(), out->size().width, out->size().height);
                out->writeVideo(std::move(*item));
                ++recorded;
            }
            if (out && !failure.failed())
                out->finishVideo();
        });
    });

    const auto stats = [&] {
        LiveStats s;
        s.captured = captured;
        s.stylized = stylized;
        s.recorded = recorded;
        s.droppedBeforeStylize = captureQueue.dropped();
        s.droppedBeforeRecord = recordQueue.dropped();
        const std::int64_t start = runStartUs;
        const double elapsed = start ? (av_gettime_relative() - start) / 1e6 : 0;
        s.fps = elapsed > 0 ? s.stylized / elapsed : 0;
        s.msPerFrame = msPerFrame;
        s.seconds = sourceUs / 1e6;
        s.sourceSize = in.displaySize();
        return s;
    };
    {
        std::unique_lock lock(stateMutex);
        while (runningStages > 0) {
            stateChanged.wait_for(lock, std::chrono::milliseconds(250));
            if (runningStages == 0 || !onStats)
                continue;
            lock.unlock();
            try {
                onStats(stats());
            } catch (...) {
                if (failure.set(std::current_exception()))
                    cancelAll();
            }
            lock.lock();
        }
    }
    captureThread.join();
    stylizeThread.join();
    recordThread.join();

    result.stats = stats();
    result.sourceEnded = sourceEnded;
    if (out && !failure.failed() && recorded == 0)
        out.reset();  // nothing recorded (stopped during the warm-up): no file, not an empty one
    if (out && !failure.failed()) {
        try {
            out->close();
            result.recordedSeconds = recorded > 0 ? (out->lastVideoUs() + 1e6 / in.frameRate()) / 1e6 : 0;
        } catch (...) {
            failure.set(std::current_exception());
        }
    }
    if (failure.failed()) {
        // The recording is written beside config.record until close() renames it: keep
        // what was recorded before the failure, unless closing fails too (the encoder or
        // the disk was what failed).
        std::string message = failure.message();
        if (out && recorded > 0) {
            try {
                out->close();
                message += " The recording up to then (" + std::to_string(recorded.load()) + " frames) is in " +
                           config.record + ".";
            } catch (...) {
            }
        }
        throw video::VideoError(message);
    }
    if (sourceFailure.failed()) {
        std::string message = sourceFailure.message();
        if (out)
            message += " The recording up to then (" + std::to_string(recorded.load()) + " frames) is in " +
                       config.record + ".";
        throw video::VideoError(message);
    }
    return result;
}

}  // namespace stylize::pipeline
