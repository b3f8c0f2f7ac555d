// The one live pipeline, for `stylize-cli live` and the desktop app alike:
//
//   source (capture thread: demux, decode, pace files) ─► drop-oldest queue ─►
//   stylize thread (stylizer, then the frame callback: the view) ─► drop-oldest queue ─►
//   recording (encoder thread, LiveRecording)
//
// A queue drops the oldest frame when the stage after it falls behind, and counts it:
// the view never waits on the encoder, the stylizer never on the camera. The source can
// be switched and a recording started or stopped while the session runs; frames keep one
// timeline across source switches and loops, so a recording spans them. No FFmpeg or
// Vulkan in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "frame.h"
#include "pipeline/record_settings.h"
#include "pipeline/stylize_function.h"
#include "video/source_spec.h"

namespace stylize::pipeline {

struct LiveConfig {
    std::string source;        // "testsrc", a camera name or /dev/videoN, "lavfi:GRAPH", a URL or a file;
                               // empty: the session waits for setSource() (or stop())
    render::Size captureSize;  // cameras: size to ask for (empty: the driver's)
    double captureFps = 0;     // cameras: rate to ask for (0: the driver's)
    double seconds = 0;        // stop after this much source time; 0: until stop() or the source ends
    bool loop = false;         // a file starts over at its end (a still image repeats at 30 fps)
    bool warmUp = true;        // the first frame only warms the stylizer up; counting starts after it
    bool view = false;         // deliver each frame to the frame callback
    render::Size viewSize;     // size of the view's frames (empty: the source's, within viewMaxSide)
    int viewMaxSide = 0;       // the longest side of a view frame (0: any)
    bool viewBefore = false;   // also deliver the source frame as RGBA (the app's "before" view)
    std::string record;        // record from the start to this file; empty: no recording (see startRecording)
    std::string codec;         // as ExportConfig; live defaults favour speed
    int crf = -1;
    std::string preset;
    render::Size recordSize;  // empty: the view's size, else the source's
    int queueDepth = 2;       // frames between the source and the stylizer (2-4)
};

struct LiveStats {
    std::int64_t captured = 0;              // frames the sources delivered
    std::int64_t stylized = 0;              // frames through the stylizer
    std::int64_t passedThrough = 0;         // frames shown unstylized while the stylizer prepared
    std::int64_t recorded = 0;              // frames in the recording (the current one)
    std::int64_t droppedBeforeStylize = 0;  // the stylizer was busy: oldest waiting frame dropped
    std::int64_t droppedBeforeRecord = 0;   // the encoder was busy: oldest waiting frame dropped
    double fps = 0;                         // stylized frames per second of wall time since the warm-up
    double recentFps = 0;                   // ... over the last second or so
    double msPerFrame = 0;                  // stylizer time of a frame (recent average)
    double seconds = 0;                     // source time so far (the session's timeline)
    render::Size sourceSize;                // the current source's picture, upright
};

struct LiveResult {
    LiveStats stats;
    bool sourceEnded = false;    // the source ran out (a file, a finite graph) before the time was up
    std::string sourceLabel;     // "the test pattern", "camera '...' (/dev/video0)"
    std::string recordCodec;     // "libx264", empty without recording
    double recordedSeconds = 0;  // length of the recording
};

// One frame as the view gets it; memory stays valid as long as a SharedFrame holds it.
struct LiveFrame {
    render::FrameView source;    // as decoded (valid during the callback only)
    render::SharedFrame shown;   // RGBA8 at the view size: stylized, or the source while the stylizer prepares
    render::SharedFrame before;  // with viewBefore: the source as RGBA8 at its own size
    bool stylized = false;
    std::int64_t us = 0;  // on the session's timeline
};

// Writes `input` stylized into `output` (layout, size and colours say what to produce)
// and returns true, or returns false without writing when it cannot yet (its plan is
// still compiling): the session then shows and records the source in its place. Called
// on the stylize thread only; may throw to end the run.
using LiveStylizeFunction = std::function<bool(const render::FrameView& input, const render::MutableFrameView& output)>;
// A stylizer that keeps its results in memory it shares (the engine's own result memory,
// written by the device: the view and the recorder read it, no copy), with frames in
// flight (render::Stylizer::submitShared/collectShared; the app's live view). `submit`
// starts `input` towards an RGBA8 frame of the `output` geometry and returns true, or
// returns false when it cannot yet (its plan is still compiling): the source then shows
// in its place. `collect` finishes the oldest started frame and returns it, or a frame
// without memory when it failed there (said through the stylizer's own channel): the
// source shows in its place. `depth`, asked before each frame (empty: always one), says
// how many may be started before the oldest is collected; it may change from frame to
// frame (a blend across models runs one at a time). Called on the stylize thread only;
// any of them may throw to end the run.
struct LiveSharedStylize {
    std::function<bool(const render::FrameView& input, const render::FrameGeometry& output)> submit;
    std::function<render::SharedFrame()> collect;
    std::function<int()> depth;
};

struct LiveEvents {
    // A source opened (capture thread).
    std::function<void(const video::SourceSpec& source, render::Size size)> sourceStarted;
    // A source failed or, without loop, ended. Set: reported here, and the session waits
    // for setSource(); unset: the run ends (with the error, if it failed).
    std::function<void(const std::string& message)> sourceStopped;
    // The recording failed (encoder, disk). Set: reported here with what was kept, the
    // session goes on without it; unset: the run ends with the error.
    std::function<void(const std::string& message)> recordingFailed;
};

class LiveSession {
public:
    using FrameCallback = std::function<void(const LiveFrame& frame)>;

    LiveSession(LiveConfig config, LiveStylizeFunction stylize, FrameCallback onFrame = {}, LiveEvents events = {});
    // With a view only (config.view); frames in flight as below, up to stylize.depth().
    LiveSession(LiveConfig config, LiveSharedStylize stylize, FrameCallback onFrame, LiveEvents events = {});
    // With frames in flight (render::Stylizer::submit/collect, up to stylize.depth): while
    // the device computes one frame the next is uploaded. A second frame is submitted only
    // when one is already waiting in the queue (the network, not the source, sets the
    // rate); with none waiting the frame in flight is collected and shown at once, so
    // this adds no latency. Frames of a new size or layout wait for those in flight.
    LiveSession(LiveConfig config, PipelinedStylize stylize, FrameCallback onFrame = {}, LiveEvents events = {});
    ~LiveSession();
    LiveSession(const LiveSession&) = delete;
    LiveSession& operator=(const LiveSession&) = delete;

    // Runs until the time is up, stop() or the source ends; calls onStats from the
    // calling thread a few times a second. Throws std::runtime_error with a sentence
    // naming the source or file on failure; a recording is still finished (playable)
    // when the source fails mid-way, and the message says so.
    LiveResult run(const std::function<void(const LiveStats&)>& onStats = {});
    // Ends the run soon (any thread); the recording is finished properly.
    void stop();
    // Plays this source next (any thread); the current one stops at once.
    void setSource(const video::SourceSpec& source);
    // Starts recording what the view shows (any thread); throws naming the file when it
    // cannot. A recording already running is finished first.
    void startRecording(const RecordSettings& settings);
    // Finishes the recording (any thread); throws saying why it failed and what was kept.
    // Returns empty stats when none was running.
    RecordingStats stopRecording();
    // The recording's progress; nullopt-like (recorded 0, codec empty) without one.
    RecordingStats recordingStats() const;
    bool recording() const;
    LiveStats stats() const;

    struct Impl;  // live_session_impl.h

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::pipeline
