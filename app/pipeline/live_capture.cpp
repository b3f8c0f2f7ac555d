// The live source stage (LiveSession's capture thread): opens each source, demuxes and
// decodes it, plays files at their own pace (looping them if asked), keeps one timeline
// across sources and loops, and hands frames to the stylizer through a drop-oldest queue.
#include <chrono>
#include <thread>
#include <utility>

#include "pipeline/live_session_impl.h"
#include "video/av_error.h"
#include "video/video_decoder.h"

extern "C" {
#include <libavutil/time.h>
}

namespace stylize::pipeline {
namespace {

constexpr std::int64_t kStillIntervalUs = 33'333;  // a still image repeats at 30 fps

// Registers the open input for stop()/setSource() to interrupt, for as long as it lives.
class InterruptibleInput {
public:
    InterruptibleInput(LiveSession::Impl& s, std::unique_ptr<video::MediaInput> in) : s_(s), in_(std::move(in))
    {
        std::lock_guard lock(s_.stateMutex);
        s_.input = in_.get();
        if (s_.stopRequested || s_.pendingSource)
            in_->interrupt();
    }
    ~InterruptibleInput()
    {
        std::lock_guard lock(s_.stateMutex);
        s_.input = nullptr;
    }
    video::MediaInput& operator*() { return *in_; }
    video::MediaInput* operator->() { return in_.get(); }

private:
    LiveSession::Impl& s_;
    std::unique_ptr<video::MediaInput> in_;
};

video::FramePtr reference(const AVFrame& frame)
{
    return video::FramePtr(av_frame_clone(&frame));
}

}  // namespace

void LiveSession::Impl::continueTimeline()
{
    if (lastUs >= 0)
        timelineBaseUs = lastUs + (lastDurationUs > 0 ? lastDurationUs : kStillIntervalUs);
}

void LiveSession::Impl::captureLoop()
{
    limitUs = config.seconds > 0 ? std::llround(config.seconds * 1e6) : INT64_MAX;
    std::unique_ptr<video::MediaInput> first;
    {
        std::lock_guard lock(stateMutex);
        first = std::move(opened);
    }
    // A session started without a source waits for its first setSource() (or stop());
    // after that, without a sourceStopped listener, one source is the whole run.
    bool played = false;
    for (;;) {
        std::optional<video::SourceSpec> spec;
        {
            std::unique_lock lock(stateMutex);
            if (played && !events.sourceStopped && !pendingSource)
                return;  // the CLI: one source, and it is over
            stateChanged.wait(lock, [&] { return first || pendingSource || stopRequested; });
            if (stopRequested)
                return;
            if (!first)
                spec = std::exchange(pendingSource, std::nullopt);
        }
        played = true;
        const std::string label = first ? first->label() : spec->label;
        const video::SourceSpec playing = first ? first->spec() : *spec;
        // Whatever plays next continues the timeline where this source left it.
        struct Continue {
            Impl* self;
            ~Continue() { self->continueTimeline(); }
        } next{this};
        try {
            const SourceEnd end = play(playing, std::move(first));
            if (end == SourceEnd::TimeUp)
                return;
            if (end == SourceEnd::Ended) {
                if (!events.sourceStopped) {
                    sourceEnded = true;
                    return;
                }
                events.sourceStopped(label + " ended.");
            }
        } catch (const StageStopped&) {
            throw;
        } catch (const std::exception& e) {
            if (leaveSource())
                continue;  // the read was interrupted on purpose
            if (!events.sourceStopped)
                throw;
            events.sourceStopped(e.what());
        }
    }
}

LiveSession::Impl::SourceEnd LiveSession::Impl::play(const video::SourceSpec& spec,
                                                     std::unique_ptr<video::MediaInput> first)
{
    const bool file = spec.kind == video::SourceKind::File;
    const video::PacketPtr packet = video::allocPacket();
    std::int64_t originUs = AV_NOPTS_VALUE;  // this pass's first timestamp
    std::int64_t wallStart = 0;
    std::int64_t framesThisPass = 0;
    video::FramePtr still;  // a one-frame file's frame, repeated when looping

    // Paces a file like a camera delivers; returns false when the source should be left.
    const auto waitUntil = [&](std::int64_t wallUs) {
        for (;;) {
            if (leaveSource())
                return false;
            const std::int64_t wait = wallUs - av_gettime_relative();
            if (wait <= 0)
                return true;
            av_usleep(static_cast<unsigned>(std::min<std::int64_t>(wait, 100'000)));
        }
    };
    const auto deliver = [&](video::TimedFrame&& frame) {
        if (timeUp)
            return;
        if (config.warmUp && !warmedUp) {
            // Frames arriving while the stylizer warms up are not part of the run.
            if (!warmUpSent && !captureQueue.push(LiveItem{std::move(frame), true}))
                throw StageStopped{};  // a later stage failed and cancelled the queue
            warmUpSent = true;
            // A file does not run away meanwhile: it waits, so its frames after the
            // first are all part of the run (read on, a short clip was over before it).
            while (file && !warmedUp && !leaveSource())
                av_usleep(10'000);
            return;
        }
        if (originUs == AV_NOPTS_VALUE) {
            originUs = frame.us;
            wallStart = av_gettime_relative();
        }
        const std::int64_t relative = frame.us - originUs;
        frame.us = timelineBaseUs + relative;
        if (frame.us >= limitUs) {
            timeUp = true;
            return;
        }
        if (file && !waitUntil(wallStart + relative))
            return;
        lastUs = frame.us;
        lastDurationUs = frame.durationUs;
        sourceUs = frame.us;
        ++captured;
        ++framesThisPass;
        if (config.loop && file && framesThisPass == 1)
            still = reference(*frame.frame);
        else
            still.reset();
        // A cancelled queue means a later stage failed (the encoder, a full disk): stop
        // reading, since some sources (lavfi) never look at the interrupt flag.
        if (!captureQueue.push(LiveItem{std::move(frame), false}))
            throw StageStopped{};
    };
    // The next pass (a loop) continues the timeline.
    const auto nextPass = [&] {
        continueTimeline();
        originUs = AV_NOPTS_VALUE;
        framesThisPass = 0;
    };

    for (bool firstPass = true;; firstPass = false) {
        InterruptibleInput in(*this, first ? std::move(first) : std::make_unique<video::MediaInput>(spec));
        if (firstPass) {
            {
                std::lock_guard lock(stateMutex);
                sourceSize = in->displaySize();
                sourceLabel = in->label();
            }
            if (events.sourceStarted)
                events.sourceStarted(spec, in->displaySize());
        }
        video::VideoDecoder decoder(*in);
        try {
            while (!timeUp && !leaveSource() && in->read(packet.get()) == video::ReadStatus::Packet) {
                if (packet->stream_index == in->videoIndex())
                    decoder.decode(packet.get(), deliver);
                av_packet_unref(packet.get());
            }
        } catch (const video::VideoError&) {
            if (leaveSource() || failure.failed())
                return SourceEnd::Left;
            throw;
        }
        if (leaveSource())
            return SourceEnd::Left;
        if (timeUp)
            return SourceEnd::TimeUp;
        // A camera has no end: if it stops, it went away.
        if (spec.kind == video::SourceKind::Camera)
            throw video::VideoError(in->label() + " stopped delivering frames; was it unplugged?");
        decoder.decode(nullptr, deliver);  // the last frames are not lost
        if (timeUp)
            return SourceEnd::TimeUp;
        if (!config.loop || !file)
            return SourceEnd::Ended;
        if (framesThisPass == 0 && !(config.warmUp && firstPass))
            throw video::VideoError(spec.label + " has no frames to show.");
        if (still && framesThisPass == 1) {
            // A still image: the same frame again and again, paced, until told otherwise.
            while (!leaveSource()) {
                video::TimedFrame again{reference(*still), lastUs + kStillIntervalUs, kStillIntervalUs};
                const std::int64_t due = wallStart + (again.us - timelineBaseUs);
                if (again.us >= limitUs) {
                    timeUp = true;
                    return SourceEnd::TimeUp;
                }
                if (!waitUntil(due))
                    break;
                lastUs = again.us;
                sourceUs = again.us;
                ++captured;
                if (!captureQueue.push(LiveItem{std::move(again), false}))
                    throw StageStopped{};
            }
            return SourceEnd::Left;
        }
        nextPass();
    }
}

}  // namespace stylize::pipeline
