// The app's stylize stage for pipeline::LiveSession: the current blend of styles at the
// brush size that keeps the view live. A new plan (first frame, new size or model)
// compiles pipelines, tens of seconds on a cold CPU-driver cache: it is built on a
// helper thread, and while it takes longer than a moment the session shows the source
// unstylized (with a note) instead of a black or frozen view. Picture styles below full
// strength take the content's style vector from the first frame of each source, predicted
// on a helper thread (under a second); until it is known their strength mixes the output.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>

#include <QString>

#include "frame.h"
#include "studio/blended_stylizer.h"
#include "studio/brush_sizer.h"
#include "studio/studio_types.h"

namespace stylize::studio {

class LiveStylize {
public:
    struct Callbacks {
        std::function<void(const QString& message)> preparing;  // empty message: the first stylized frame is coming
        std::function<void(const QString& message)> failed;     // a sentence: stylizing failed
    };

    // `library` is read under `libraryMutex`, which the controller holds to change it.
    // `framesInFlight` (1 or 2; 0: render::Stylizer::defaultFramesInFlight, two on a GPU)
    // is the most frames on the device at once.
    LiveStylize(vk::Context& context, const StyleLibrary& library, std::mutex& libraryMutex, double targetFps,
                Callbacks callbacks, int framesInFlight = 0);
    ~LiveStylize();

    // Any thread: applied at the next frame that is not waiting for a plan.
    void setBlend(const BlendSettings& blend);
    void libraryChanged();
    void sourceChanged();

    // The stylize thread: pipeline::LiveSharedStylize. submit() starts `input` (false:
    // not now, a plan is being built or stylizing gave up: the source shows); collect()
    // returns the oldest started frame, in the engine's own result memory where the
    // device can write host memory (no copy on the way to the view and the recorder), or
    // one without memory if it failed (said through Callbacks::failed). depth(): how
    // many may be started before a collect (one while a plan builds, for blends across
    // models and on CPU drivers). A blend, content or brush-size change first collects
    // what is in flight (BlendedStylizer::settle), so those frames keep the settings they
    // were started with.
    bool submit(const render::FrameView& input, const render::FrameGeometry& output);
    render::SharedFrame collect();
    int depth() const;
    // One frame, start to finish (submit, then collect): for callers without frames in flight.
    render::SharedFrame operator()(const render::FrameView& input, const render::FrameGeometry& output);
    // The network's input size of the last frame (stylize thread writes, any thread reads).
    render::Size processingSize() const;

private:
    bool start(const render::FrameView& input, const render::FrameGeometry& output);
    render::SharedFrame failed(const std::exception& e);
    QString preparingMessage() const;  // any thread
    void matchContent(const render::FrameView& input);  // stylize thread, no build running

    BlendedStylizer stylizer_;  // stylize thread (and the build it starts)
    BrushSizer brush_;          // stylize thread
    const StyleLibrary& library_;
    std::mutex& libraryMutex_;
    Callbacks callbacks_;
    const QString device_;
    const int framesInFlight_;
    // The stylize thread's time in submit() of each frame in flight, oldest first: with
    // the wait in its collect() it is what the brush sizer is told (two deep, the device's
    // share of a frame; a settle's wait counts towards the frame that caused it).
    std::deque<double> submitMs_;                       // stylize thread
    std::chrono::steady_clock::time_point buildStart_;  // stylize thread
    std::atomic<int> warmUpPercent_{-1};  // the build thread writes, the stylize thread reads; -1: unknown
    std::future<void> building_;                        // stylize thread
    std::atomic<bool> announced_{false};  // the note shows: the stylize thread writes, the build reads
    bool styledThisSource_ = false;                     // stylize thread
    std::future<std::vector<float>> content_;           // stylize thread: the predictor on a frame
    bool contentAsked_ = false;                         // stylize thread: for this source
    // After a failure (a device timeout, a lost device): the plans are rebuilt once; if
    // that fails too, stylizing stops (the source shows) until the blend or source changes.
    bool rebuiltAfterFailure_ = false;  // stylize thread
    bool gaveUp_ = false;               // stylize thread

    mutable std::mutex mutex_;
    BlendSettings blend_;             // mutex_
    std::uint64_t blendVersion_ = 0;  // mutex_
    std::uint64_t appliedVersion_ = ~0ull;  // stylize thread
    bool libraryChanged_ = false;     // mutex_
    bool sourceChanged_ = false;      // mutex_
    render::Size processing_;         // mutex_
};

}  // namespace stylize::studio
