// LiveSession's insides, shared by its two source files: live_session.cpp (the session,
// the stylize stage, the recording) and live_capture.cpp (the source stage).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "pipeline/frame_queue.h"
#include "pipeline/live_recording.h"
#include "pipeline/live_session.h"
#include "pipeline/stage_support.h"
#include "video/media_input.h"
#include "video/timed_frame.h"

namespace stylize::pipeline {

// The first frame only warms the stylizer up (its plan is built and its shaders
// compiled, which takes seconds); the clock, the counts and the recording start after.
struct LiveItem {
    video::TimedFrame frame;
    bool warmUp = false;
};

struct LiveSession::Impl {
    Impl(LiveConfig c, LiveStylizeFunction s, LiveSharedStylize shared, PipelinedStylize pipelined,
         FrameCallback f, LiveEvents e);

    const LiveConfig config;
    const LiveStylizeFunction stylize;              // stylize thread (one of these three)
    const LiveSharedStylize stylizeShared;          // stylize thread
    const PipelinedStylize pipelined;               // stylize thread
    const FrameCallback onFrame;                    // stylize thread
    const LiveEvents events;            // sourceStarted/sourceStopped: capture thread; recordingFailed: stylize thread
    FrameQueue<LiveItem> captureQueue;  // capture thread → stylize thread (drop-oldest)

    mutable std::mutex stateMutex;
    std::condition_variable stateChanged;
    bool stopRequested = false;                      // stateMutex
    std::optional<video::SourceSpec> pendingSource;  // stateMutex: what setSource() asked for next
    std::unique_ptr<video::MediaInput> opened;       // stateMutex: the first source, opened by run()
    video::MediaInput* input = nullptr;              // stateMutex: while open, so stop()/setSource() can interrupt
    std::shared_ptr<LiveRecording> recording;        // stateMutex; the stylize thread takes a copy per frame
    RecordingStats lastRecording;                    // stateMutex: the stats of the last finished recording
    render::Size sourceSize;                         // stateMutex
    std::string sourceLabel;                         // stateMutex
    int runningStages = 0;                           // stateMutex

    std::atomic<std::int64_t> captured{0};       // capture thread
    std::atomic<std::int64_t> stylized{0};       // stylize thread
    std::atomic<std::int64_t> passedThrough{0};  // stylize thread
    std::atomic<std::int64_t> droppedRecord{0};  // stylize thread: drops of recordings already finished
    std::atomic<std::int64_t> sourceUs{0};       // capture thread: timeline time of the last frame
    std::atomic<double> msPerFrame{0};           // stylize thread
    std::atomic<double> recentFps{0};            // stylize thread
    std::atomic<bool> sourceEnded{false};        // capture thread
    std::atomic<bool> warmedUp{false};           // stylize thread, after its first frame
    std::atomic<std::int64_t> runStartUs{0};     // stylize thread: av_gettime_relative() when warmed up
    FailureLatch failure;                        // stylize/record failures: stop everything
    FailureLatch sourceFailure;                  // capture failures: finish the recording, then report

    bool stopping() const
    {
        std::lock_guard lock(stateMutex);
        return stopRequested;
    }
    // Stop or a new source: the current source's reading should end.
    bool leaveSource() const
    {
        std::lock_guard lock(stateMutex);
        return stopRequested || pendingSource.has_value();
    }
    void stageDone()
    {
        std::lock_guard lock(stateMutex);
        --runningStages;
        stateChanged.notify_all();
    }
    void cancelAll();
    render::Size viewSizeFor(render::Size source) const;

    // live_capture.cpp: the source stage (capture thread).
    void captureLoop();
    enum class SourceEnd { Ended, Left, TimeUp };
    SourceEnd play(const video::SourceSpec& spec, std::unique_ptr<video::MediaInput> first);
    void continueTimeline();

    // live_session.cpp: the stylize stage (stylize thread). A frame is started (given to
    // the stylizer) and later finished (collected, shown, recorded); one at a time unless
    // `pipelined` keeps frames in flight.
    struct InFlight;
    struct StageState;
    void stylizeLoop();
    InFlight startFrame(StageState& stage, LiveItem live);
    void finishFrame(StageState& stage, InFlight& frame);
    void recordingBroke(const std::shared_ptr<LiveRecording>& broken);

    LiveResult run(const std::function<void(const LiveStats&)>& onStats);
    LiveStats stats() const;

    // capture thread: the session's timeline across sources and loops.
    std::int64_t timelineBaseUs = 0;
    std::int64_t lastUs = -1, lastDurationUs = 0;
    std::int64_t limitUs = INT64_MAX;
    bool timeUp = false, warmUpSent = false;
};

}  // namespace stylize::pipeline
