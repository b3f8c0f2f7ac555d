// A live recording: frames are handed over without waiting (a full queue drops the
// oldest and counts it, so the view never waits on the encoder) and encoded on a thread
// of its own into a fragmented, flushed file that stays playable if the process is
// killed. RGBA view frames become the encoder's YUV through video::FrameScaler (BT.709
// limited, what the file is tagged with); frames from newEncoderFrame() go in as they are.
// Used by LiveSession for `stylize-cli live --record` and the app's Record button alike.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/record_settings.h"
#include "video/timed_frame.h"

namespace stylize::pipeline {

class LiveRecording {
public:
    // Checks that the folder exists; with a size, opens the encoder now (so a bad codec or
    // an unwritable file fails here, naming it). Throws video::VideoError.
    explicit LiveRecording(RecordSettings settings);
    ~LiveRecording();  // finishes (errors are dropped: call finish() to see them)
    LiveRecording(const LiveRecording&) = delete;
    LiveRecording& operator=(const LiveRecording&) = delete;

    const std::string& path() const;
    // A frame in the encoder's own layout and size to stylize into (sized recordings
    // only; empty otherwise).
    video::FramePtr newEncoderFrame();
    // Hands a frame over (any thread), never waits. Timestamps count from the first frame
    // pushed. False once the recording failed or finished: the frame was not taken.
    bool push(video::TimedFrame frame);
    // Why the recording failed (empty while it works). Any thread.
    std::string failure() const;
    RecordingStats stats() const;
    // Encodes what is queued, writes the trailer and renames the file into place. No frame
    // recorded: no file. After a failure, keeps what was recorded before it if the file
    // can still be closed, and throws video::VideoError saying why and what is kept.
    RecordingStats finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::pipeline
