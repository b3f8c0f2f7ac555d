// A live run: a camera, the test pattern, a lavfi graph or a file played at its own
// pace → stylizer → view callback and, optionally, a recording. Queues drop the oldest
// frame when a stage falls behind (counted and reported): the view never waits on the
// encoder, and the recording is fragmented/flushed so a killed process leaves a
// playable file. No FFmpeg or Vulkan in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "image.h"
#include "pipeline/stylize_function.h"

namespace stylize::pipeline {

struct LiveConfig {
    std::string source;        // "testsrc", a camera name or /dev/videoN, "lavfi:GRAPH", a URL or a file
    render::Size captureSize;  // cameras: size to ask for (empty: the driver's)
    double captureFps = 0;     // cameras: rate to ask for (0: the driver's)
    double seconds = 0;        // stop after this much source time; 0: until stop() or the source ends
    bool view = false;         // deliver RGBA frames to the frame callback
    render::Size viewSize;     // size of the view's frames (empty: the source's)
    std::string record;        // recording file (.mkv or .mp4 recommended); empty: no recording
    std::string codec;         // as ExportConfig; live defaults favour speed
    int crf = -1;
    std::string preset;
    render::Size recordSize;  // empty: the view's size, else the source's
    int queueDepth = 2;       // frames between threads (2-4)
};

struct LiveStats {
    std::int64_t captured = 0;              // frames the source delivered
    std::int64_t stylized = 0;              // frames through the stylizer
    std::int64_t recorded = 0;              // frames in the recording
    std::int64_t droppedBeforeStylize = 0;  // the stylizer was busy: oldest waiting frame dropped
    std::int64_t droppedBeforeRecord = 0;   // the encoder was busy: oldest waiting frame dropped
    double fps = 0;                         // stylized frames per second of wall time
    double msPerFrame = 0;                  // stylizer time of a frame (recent average)
    double seconds = 0;                     // source time so far
    render::Size sourceSize;
};

struct LiveResult {
    LiveStats stats;
    bool sourceEnded = false;    // the source ran out (a file, a finite graph) before the time was up
    std::string sourceLabel;     // "the test pattern", "camera '...' (/dev/video0)"
    std::string recordCodec;     // "libx264", empty without recording
    double recordedSeconds = 0;  // length of the recording
};

class LiveSession {
public:
    // Called on the stylize thread with each frame: the source frame as decoded and the
    // stylized RGBA frame. Copy what you need; the views are valid during the call only.
    using FrameCallback = std::function<void(const render::FrameView& original, const render::FrameView& stylized)>;

    LiveSession(LiveConfig config, StylizeFunction stylize, FrameCallback onFrame = {});
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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::pipeline
