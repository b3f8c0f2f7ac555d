// LiveSession: the session (threads, stats, control) and its stylize stage; the source
// stage is in live_capture.cpp, the recording in live_recording.cpp.
#include "pipeline/live_session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <thread>

#include "pipeline/live_session_impl.h"
#include "video/av_error.h"
#include "video/frame_mapping.h"

extern "C" {
#include <libavutil/time.h>
}

namespace stylize::pipeline {

using Clock = std::chrono::steady_clock;

namespace {

// A frame's pixels seen as a SharedFrame: the memory stays while any copy holds it.
render::SharedFrame shareFrame(const AVFrame& frame)
{
    render::SharedFrame shared;
    static_cast<render::FrameView&>(shared) = video::frameView(frame);
    AVFrame* ref = av_frame_clone(&frame);
    shared.memory = std::shared_ptr<const void>(ref, [](const void* p) {
        AVFrame* f = static_cast<AVFrame*>(const_cast<void*>(p));
        av_frame_free(&f);
    });
    return shared;
}

// An AVFrame over a SharedFrame's RGBA memory (no copy): the frame's buffer holds the
// memory until the recorder is done with it.
video::FramePtr frameOver(const render::SharedFrame& shared)
{
    video::FramePtr f(av_frame_alloc());
    if (!f)
        throw video::VideoError("Out of memory for a frame.");
    f->format = AV_PIX_FMT_RGBA;
    f->width = shared.width;
    f->height = shared.height;
    auto* hold = new std::shared_ptr<const void>(shared.memory);
    f->buf[0] = av_buffer_create(
        const_cast<std::uint8_t*>(shared.planes[0]), std::size_t(shared.strides[0]) * shared.height,
        [](void* opaque, std::uint8_t*) { delete static_cast<std::shared_ptr<const void>*>(opaque); }, hold,
        AV_BUFFER_FLAG_READONLY);
    if (!f->buf[0]) {
        delete hold;
        throw video::VideoError("Out of memory for a frame.");
    }
    f->data[0] = f->buf[0]->data;
    f->linesize[0] = shared.strides[0];
    return f;
}

// Frames per second over the last second or so of frames.
class RecentRate {
public:
    double add(Clock::time_point t)
    {
        times_.push_back(t);
        while (times_.size() > 2 && t - times_.front() > std::chrono::milliseconds(1500))
            times_.pop_front();
        if (times_.size() < 2)
            return 0;
        return (times_.size() - 1) / std::chrono::duration<double>(times_.back() - times_.front()).count();
    }

private:
    std::deque<Clock::time_point> times_;
};

}  // namespace

LiveSession::Impl::Impl(LiveConfig c, LiveStylizeFunction s, LiveSharedStylize shared, PipelinedStylize p,
                        FrameCallback f, LiveEvents e)
    : config(std::move(c)),
      stylize(std::move(s)),
      stylizeShared(std::move(shared)),
      pipelined(std::move(p)),
      onFrame(std::move(f)),
      events(std::move(e)),
      captureQueue(static_cast<std::size_t>(std::clamp(config.queueDepth, 2, 4)), QueuePolicy::DropOldest)
{
}

LiveSession::LiveSession(LiveConfig config, LiveStylizeFunction stylize, FrameCallback onFrame, LiveEvents events)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(stylize), LiveSharedStylize{},
                                   PipelinedStylize{}, std::move(onFrame), std::move(events)))
{
}

LiveSession::LiveSession(LiveConfig config, PipelinedStylize stylize, FrameCallback onFrame, LiveEvents events)
    : impl_(std::make_unique<Impl>(std::move(config), LiveStylizeFunction{}, LiveSharedStylize{},
                                   std::move(stylize), std::move(onFrame), std::move(events)))
{
    if (!impl_->pipelined.submit || !impl_->pipelined.collect)
        throw std::invalid_argument("LiveSession: a pipelined stylizer needs submit and collect");
}

LiveSession::LiveSession(LiveConfig config, LiveSharedStylize stylize, FrameCallback onFrame, LiveEvents events)
    : impl_(std::make_unique<Impl>(std::move(config), LiveStylizeFunction{}, std::move(stylize), PipelinedStylize{},
                                   std::move(onFrame), std::move(events)))
{
    if (!impl_->config.view)
        throw std::invalid_argument("LiveSession: a shared-memory stylizer needs config.view");
    if (!impl_->stylizeShared.submit || !impl_->stylizeShared.collect)
        throw std::invalid_argument("LiveSession: a shared-memory stylizer needs submit and collect");
}

LiveSession::~LiveSession()
{
    try {
        stopRecording();
    } catch (const std::exception&) {
    }
}

void LiveSession::stop()
{
    std::lock_guard lock(impl_->stateMutex);
    impl_->stopRequested = true;
    if (impl_->input)
        impl_->input->interrupt();
    impl_->stateChanged.notify_all();
}

void LiveSession::setSource(const video::SourceSpec& source)
{
    std::lock_guard lock(impl_->stateMutex);
    impl_->pendingSource = source;
    if (impl_->input)
        impl_->input->interrupt();
    impl_->stateChanged.notify_all();
}

void LiveSession::startRecording(const RecordSettings& settings)
{
    stopRecording();
    auto recording = std::make_shared<LiveRecording>(settings);
    std::lock_guard lock(impl_->stateMutex);
    impl_->recording = std::move(recording);
}

RecordingStats LiveSession::stopRecording()
{
    std::shared_ptr<LiveRecording> recording;
    {
        std::lock_guard lock(impl_->stateMutex);
        recording = std::move(impl_->recording);
    }
    if (!recording)
        return {};
    impl_->droppedRecord += recording->stats().dropped;
    // Remembered for stats() whether or not finishing works.
    struct Remember {
        Impl& m;
        const LiveRecording& r;
        ~Remember()
        {
            std::lock_guard lock(m.stateMutex);
            m.lastRecording = r.stats();
        }
    } remember{*impl_, *recording};
    return recording->finish();
}

RecordingStats LiveSession::recordingStats() const
{
    std::lock_guard lock(impl_->stateMutex);
    return impl_->recording ? impl_->recording->stats() : impl_->lastRecording;
}

bool LiveSession::recording() const
{
    std::lock_guard lock(impl_->stateMutex);
    return impl_->recording != nullptr;
}

LiveStats LiveSession::stats() const
{
    return impl_->stats();
}

LiveResult LiveSession::run(const std::function<void(const LiveStats&)>& onStats)
{
    return impl_->run(onStats);
}

void LiveSession::Impl::cancelAll()
{
    captureQueue.cancel();
    std::lock_guard lock(stateMutex);
    stopRequested = true;
    if (input)
        input->interrupt();
    stateChanged.notify_all();
}

render::Size LiveSession::Impl::viewSizeFor(render::Size source) const
{
    if (!config.viewSize.empty())
        return config.viewSize;
    const int longest = std::max(source.width, source.height);
    if (config.viewMaxSide <= 0 || longest <= config.viewMaxSide)
        return source;
    const double s = double(config.viewMaxSide) / longest;
    return {std::max(2, int(source.width * s) / 2 * 2), std::max(2, int(source.height * s) / 2 * 2)};
}

LiveStats LiveSession::Impl::stats() const
{
    LiveStats s;
    s.captured = captured;
    s.stylized = stylized;
    s.passedThrough = passedThrough;
    s.droppedBeforeStylize = captureQueue.dropped();
    {
        std::lock_guard lock(stateMutex);
        const RecordingStats r = recording ? recording->stats() : lastRecording;
        s.recorded = r.recorded;
        s.droppedBeforeRecord = droppedRecord + (recording ? r.dropped : 0);
        s.sourceSize = sourceSize;
    }
    const std::int64_t start = runStartUs;
    const double elapsed = start ? (av_gettime_relative() - start) / 1e6 : 0;
    s.fps = elapsed > 0 ? s.stylized / elapsed : 0;
    s.recentFps = recentFps;
    s.msPerFrame = msPerFrame;
    s.seconds = sourceUs / 1e6;
    return s;
}

// A recording that stopped taking frames: finished (keeping what it has), then reported,
// or the end of the run when nobody listens for it.
void LiveSession::Impl::recordingBroke(const std::shared_ptr<LiveRecording>& broken)
{
    {
        std::lock_guard lock(stateMutex);
        if (recording != broken)
            return;  // stopRecording() got to it first
        recording.reset();
    }
    droppedRecord += broken->stats().dropped;
    std::string message;
    try {
        broken->finish();
    } catch (const std::exception& e) {
        message = e.what();
    }
    {
        std::lock_guard lock(stateMutex);
        lastRecording = broken->stats();
    }
    if (message.empty())
        return;
    if (events.recordingFailed)
        events.recordingFailed(message);
    else
        throw video::VideoError(message);
}

// A frame given to the stylizer, not yet shown or recorded.
struct LiveSession::Impl::InFlight {
    LiveItem live;                       // holds the decoded source frame until finished
    video::FramePtr target;              // what the stylizer writes (or wrote) into
    std::shared_ptr<LiveRecording> rec;  // the recording when the frame was started
    Clock::time_point started;
    bool styled = false;
    bool collect = false;  // submitted to `pipelined`: collect before use
};

// The stylize thread's own things, kept across frames.
struct LiveSession::Impl::StageState {
    video::FramePool viewPool, beforePool;
    video::SwsContextPtr passSws, beforeSws;
    video::FrameScaler passScaler;
    RecentRate rate;
    Clock::time_point lastFinished;
};

LiveSession::Impl::InFlight LiveSession::Impl::startFrame(StageState& stage, LiveItem live)
{
    static const render::ColorSpace bt709{render::ColorMatrix::Bt709, render::ColorRange::Limited};
    InFlight f{std::move(live), {}, {}, Clock::now()};
    {
        std::lock_guard lock(stateMutex);
        f.rec = recording;
    }
    const AVFrame& in = *f.live.frame.frame;
    const render::FrameView source = video::frameView(in);
    const render::Size shownSize = viewSizeFor({in.width, in.height});
    // Without a view the stylizer writes the encoder's own layout (no conversion).
    f.target = !config.view && f.rec ? f.rec->newEncoderFrame() : video::FramePtr{};
    if (!f.target)
        f.target = stage.viewPool.get(AV_PIX_FMT_RGBA, shownSize.width, shownSize.height);
    if (stylizeShared.submit) {
        render::FrameGeometry geometry;
        geometry.layout = render::PixelLayout::Rgba8;
        geometry.width = f.target->width;
        geometry.height = f.target->height;
        f.styled = f.collect = stylizeShared.submit(source, geometry);
    } else if (pipelined.submit) {
        pipelined.submit(source, video::mutableFrameView(*f.target, bt709));
        f.styled = f.collect = true;
    } else {
        f.styled = stylize(source, video::mutableFrameView(*f.target, bt709));
    }
    return f;
}

void LiveSession::Impl::finishFrame(StageState& stage, InFlight& f)
{
    if (f.collect) {
        f.collect = false;
        if (stylizeShared.collect) {
            const render::SharedFrame shared = stylizeShared.collect();
            if ((f.styled = shared.memory != nullptr))
                f.target = frameOver(shared);
        } else {
            pipelined.collect();
        }
    }
    const video::TimedFrame& item = f.live.frame;
    const auto t1 = Clock::now();
    // The stage's time on this frame: from its start, or from the frame before's finish
    // when it was started while that one was in flight.
    const auto since = std::max(f.started, stage.lastFinished);
    stage.lastFinished = t1;
    if (f.live.warmUp) {
        runStartUs = av_gettime_relative();
        warmedUp = true;
        return;
    }
    if (f.styled) {
        const double ms = std::chrono::duration<double, std::milli>(t1 - since).count();
        msPerFrame = msPerFrame == 0 ? ms : msPerFrame * 0.8 + ms * 0.2;
        recentFps = stage.rate.add(t1);
        ++stylized;
    } else {
        // Preparing: the source takes the stylized frame's place, in its layout.
        if (f.target->format == AV_PIX_FMT_RGBA)
            video::frameToRgba(stage.passSws, *item.frame, f.target->data[0], f.target->linesize[0], f.target->width,
                               f.target->height);
        else
            f.target =
                stage.passScaler.scale(*item.frame, AVPixelFormat(f.target->format), f.target->width, f.target->height);
        ++passedThrough;
    }
    if (onFrame && config.view) {
        LiveFrame frame;
        frame.source = video::frameView(*item.frame);
        frame.shown = shareFrame(*f.target);
        frame.stylized = f.styled;
        frame.us = item.us;
        if (config.viewBefore) {
            video::FramePtr before = stage.beforePool.get(AV_PIX_FMT_RGBA, item.frame->width, item.frame->height);
            video::frameToRgba(stage.beforeSws, *item.frame, before->data[0], before->linesize[0]);
            frame.before = shareFrame(*before);
        }
        onFrame(frame);
    }
    if (f.rec && !f.rec->push(video::TimedFrame{std::move(f.target), item.us, item.durationUs}))
        recordingBroke(f.rec);
}

void LiveSession::Impl::stylizeLoop()
{
    StageState stage;
    std::deque<InFlight> inFlight;  // oldest first
    // How many frames may be on the engine before the oldest is finished (asked before
    // each frame: a shared stylizer's depth follows its blend).
    const auto depth = [&]() -> std::size_t {
        if (stylizeShared.submit)
            return stylizeShared.depth ? std::size_t(std::max(1, stylizeShared.depth())) : 1;
        return pipelined.submit ? std::size_t(std::max(1, pipelined.depth)) : 1;
    };
    const auto finishOldest = [&] {
        InFlight f = std::move(inFlight.front());
        inFlight.pop_front();
        finishFrame(stage, f);
    };
    const auto sameShape = [](const AVFrame& a, const AVFrame& b) {
        return a.width == b.width && a.height == b.height && a.format == b.format;
    };
    // A failure stops the run with frames still on the engine, writing into targets held
    // here: collect them (into those targets) so it is left with none.
    struct CollectLeftOvers {
        const Impl& impl;
        const std::deque<InFlight>& frames;
        ~CollectLeftOvers()
        {
            const auto n =
                std::size_t(std::count_if(frames.begin(), frames.end(), [](const InFlight& f) { return f.collect; }));
            if (impl.stylizeShared.collect)
                collectEach(n, [&] { impl.stylizeShared.collect(); });
            else
                impl.pipelined.collectLeftOvers(n);
        }
    } leftOvers{*this, inFlight};
    for (;;) {
        // Nothing waiting: show the frame in flight now rather than hold it for the next.
        if (!inFlight.empty() && captureQueue.size() == 0) {
            finishOldest();
            continue;
        }
        std::optional<LiveItem> live = captureQueue.pop();
        if (!live)
            break;
        // A new source size or layout is a new plan: finish the frames of the old one first.
        while (!inFlight.empty() && !sameShape(*inFlight.back().live.frame.frame, *live->frame.frame))
            finishOldest();
        const std::size_t most = depth();
        while (inFlight.size() >= most)  // the depth went down
            finishOldest();
        inFlight.push_back(startFrame(stage, std::move(*live)));
        if (inFlight.back().live.warmUp || inFlight.size() >= most)
            finishOldest();
    }
    // The source ended or the session stops: what is in flight is still shown and recorded.
    while (!inFlight.empty())
        finishOldest();
}

LiveResult LiveSession::Impl::run(const std::function<void(const LiveStats&)>& onStats)
{
    LiveResult result;
    if (!config.source.empty()) {
        // The first source opens here, so a bad one fails before anything starts, and a
        // recording from the start knows its size and rate.
        video::SourceSpec spec = video::resolveSource(config.source);
        spec.captureSize = config.captureSize;
        spec.captureFps = config.captureFps;
        auto in = std::make_unique<video::MediaInput>(spec);
        result.sourceLabel = in->label();
        result.stats.sourceSize = in->displaySize();
        if (!config.record.empty()) {
            RecordSettings settings;
            settings.path = config.record;
            settings.codec = config.codec;
            settings.crf = config.crf;
            settings.preset = config.preset;
            settings.size = !config.recordSize.empty() ? config.recordSize : viewSizeFor(in->displaySize());
            settings.frameRate = in->frameRate();
            auto recording = std::make_shared<LiveRecording>(settings);
            result.recordCodec = recording->stats().codec;
            std::lock_guard lock(stateMutex);
            this->recording = std::move(recording);
        }
        std::lock_guard lock(stateMutex);
        opened = std::move(in);
        if (stopRequested)
            opened->interrupt();
    }
    {
        std::lock_guard lock(stateMutex);
        runningStages = 2;
    }
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
        guard(sourceFailure, [&] { captureLoop(); });
        captureQueue.close();
    });
    std::thread stylizeThread([&] { guard(failure, [&] { stylizeLoop(); }); });
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

    // The recording (from the start or from startRecording) ends with the run.
    std::string recordingNote;
    std::shared_ptr<LiveRecording> rec;
    {
        std::lock_guard lock(stateMutex);
        rec = std::move(recording);
    }
    if (rec) {
        droppedRecord += rec->stats().dropped;
        try {
            const RecordingStats r = rec->finish();
            result.recordedSeconds = r.seconds;
            result.recordCodec = r.codec;
            if (r.recorded > 0)
                recordingNote =
                    " The recording up to then (" + std::to_string(r.recorded) + " frames) is in " + rec->path() + ".";
        } catch (...) {
            failure.set(std::current_exception());
        }
        std::lock_guard lock(stateMutex);
        lastRecording = rec->stats();
    }
    result.stats = stats();
    result.sourceEnded = sourceEnded;
    {
        std::lock_guard lock(stateMutex);
        if (!sourceLabel.empty())
            result.sourceLabel = sourceLabel;
    }
    if (failure.failed())
        throw video::VideoError(failure.message() + recordingNote);
    if (sourceFailure.failed())
        throw video::VideoError(sourceFailure.message() + recordingNote);
    return result;
}

}  // namespace stylize::pipeline
