// LiveStylize: blend changes, the adaptive brush and plan builds off the frame path.
#include "studio/live_stylize.h"

#include <algorithm>
#include <thread>
#include <utility>

#include <QObject>

#include "frame_pixels.h"
#include "picture_styles.h"
#include "stylizer.h"
#include "vk/context.h"

namespace stylize::studio {

LiveStylize::LiveStylize(vk::Context& context, const StyleLibrary& library, std::mutex& libraryMutex,
                         double targetFps, Callbacks callbacks, int framesInFlight)
    : stylizer_(context), brush_(targetFps), library_(library), libraryMutex_(libraryMutex),
      callbacks_(std::move(callbacks)), device_(QString::fromStdString(context.info().name)),
      framesInFlight_(std::clamp(framesInFlight > 0 ? framesInFlight : render::Stylizer::defaultFramesInFlight(context),
                                 1, int(render::Stylizer::kFramesInFlight)))
{
    // On a CPU driver a cold plan compiles op by op: once the note shows (builds quicker
    // than the grace below show none), it says how far the compile got.
    stylizer_.setWarmUpProgress([this](std::size_t done, std::size_t total) {
        warmUpPercent_ = int(100 * done / total);
        if (announced_ && callbacks_.preparing)
            callbacks_.preparing(preparingMessage());
    });
}

QString LiveStylize::preparingMessage() const
{
    const int percent = warmUpPercent_;
    if (percent < 0)
        return QObject::tr("Preparing the style on %1: its first use compiles shaders, up to a minute on a CPU "
                           "driver…")
            .arg(device_);
    return QObject::tr("Preparing the style on %1: compiling its shaders on first use, %2% done…")
        .arg(device_)
        .arg(percent);
}

LiveStylize::~LiveStylize()
{
    // A cold plan build compiles for up to a minute on a CPU driver: it stops at its
    // next pipeline instead, so closing waits one compile at most (GPU drivers compile in
    // vkCreateComputePipelines; lavapipe at the first dispatch, which a new plan's first
    // run there does op by op: docs/live-pipeline.md).
    stylizer_.cancel();
    if (building_.valid())
        building_.wait();  // the build uses stylizer_
    if (content_.valid())
        content_.wait();  // owns what it reads; waited for only to end the thread
}

void LiveStylize::matchContent(const render::FrameView& input)
{
    if (content_.valid()) {
        if (content_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            return;
        std::vector<float> vector;
        try {
            vector = content_.get();
        } catch (const std::exception& e) {
            // The output mix goes on; the sentence says why the strength looks different.
            if (callbacks_.failed)
                callbacks_.failed(QObject::tr("The frame's own style could not be read (%1): picture styles "
                                              "mix their strength with the frame instead.")
                                      .arg(QString::fromStdString(e.what())));
            return;
        }
        // Outside the try: it settles what is in flight, and a device failure there is
        // start()'s to report, not the predictor's.
        stylizer_.setContent(std::move(vector));
        return;
    }
    if (contentAsked_)
        return;
    if (auto magenta = stylizer_.contentPredictor()) {
        contentAsked_ = true;
        content_ = std::async(std::launch::async, [magenta, picture = render::frameToImage(input)] {
            return magenta->predict(picture.view());
        });
    }
}

void LiveStylize::setBlend(const BlendSettings& blend)
{
    std::lock_guard lock(mutex_);
    blend_ = blend;
    ++blendVersion_;
}

void LiveStylize::libraryChanged()
{
    std::lock_guard lock(mutex_);
    libraryChanged_ = true;
}

void LiveStylize::sourceChanged()
{
    std::lock_guard lock(mutex_);
    sourceChanged_ = true;
}

render::Size LiveStylize::processingSize() const
{
    std::lock_guard lock(mutex_);
    return processing_;
}

// The first failure rebuilds the plans (a device timeout leaves the old ones unusable);
// a second one in a row stops stylizing and says so. The frame shows unstylized.
render::SharedFrame LiveStylize::failed(const std::exception& e)
{
    const QString what = QString::fromStdString(e.what());
    if (building_.valid())
        building_.wait();
    building_ = {};
    if (!rebuiltAfterFailure_) {
        rebuiltAfterFailure_ = true;
        stylizer_.dropPlans();  // and the frames in flight: their collects give none
        submitMs_.clear();
        if (callbacks_.failed)
            callbacks_.failed(QObject::tr("Stylizing failed: %1 Preparing the style again…").arg(what));
        return {};
    }
    gaveUp_ = true;
    if (callbacks_.failed)
        callbacks_.failed(QObject::tr("Stylizing failed again: %1 The view shows the source unstylized; pick a "
                                      "style or a source to try again.")
                              .arg(what));
    return {};
}

int LiveStylize::depth() const
{
    if (building_.valid() || gaveUp_)
        return 1;
    return int(std::min(std::size_t(framesInFlight_), stylizer_.maxInFlight()));
}

render::SharedFrame LiveStylize::operator()(const render::FrameView& input, const render::FrameGeometry& output)
{
    return submit(input, output) ? collect() : render::SharedFrame{};
}

bool LiveStylize::submit(const render::FrameView& input, const render::FrameGeometry& output)
{
    const auto t0 = std::chrono::steady_clock::now();
    bool started = false;
    try {
        started = start(input, output);
    } catch (const std::exception& e) {
        failed(e);  // a device failure met while settling or starting the frame
        return false;
    }
    if (started)
        submitMs_.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return started;
}

render::SharedFrame LiveStylize::collect()
{
    if (stylizer_.framesInFlight() == 0)
        return {};  // forgotten with the plans after a failure
    const auto t0 = std::chrono::steady_clock::now();
    const double submitMs = submitMs_.empty() ? 0.0 : submitMs_.front();
    if (!submitMs_.empty())
        submitMs_.pop_front();
    render::SharedFrame result;
    try {
        result = stylizer_.collectShared();
    } catch (const std::exception& e) {
        return failed(e);
    }
    if (!result.memory)
        return result;  // a frame a failed settle gave up
    const auto t1 = std::chrono::steady_clock::now();
    brush_.report(submitMs + std::chrono::duration<double, std::milli>(t1 - t0).count(), t1);
    styledThisSource_ = true;
    rebuiltAfterFailure_ = false;
    return result;
}

// submit() without the failure policy: throws what the engine throws.
bool LiveStylize::start(const render::FrameView& input, const render::FrameGeometry& output)
{
    {
        std::scoped_lock lock(mutex_, libraryMutex_);
        const bool newSource = std::exchange(sourceChanged_, false);
        if (newSource)
            styledThisSource_ = contentAsked_ = false;
        if (gaveUp_ && (newSource || blendVersion_ != appliedVersion_ || libraryChanged_))
            gaveUp_ = rebuiltAfterFailure_ = false;  // the user asked for something new: try again
        if (gaveUp_)
            return false;
        if (!building_.valid() && (blendVersion_ != appliedVersion_ || libraryChanged_)) {
            stylizer_.setBlend(library_.resolve(blend_),
                               {float(blend_.strength), blend_.preserveColours, float(blend_.sceneLight), float(blend_.steady)});
            brush_.setPercent(blend_.brushPercent);
            appliedVersion_ = blendVersion_;
            // A model replaced in the library (a picture style added) leaves its old
            // snapshot unused: free its plan; pipelines stay in the shared cache.
            if (std::exchange(libraryChanged_, false))
                stylizer_.releaseUnused();
        }
        if (library_.styleCount() == 0)
            return false;  // nothing to stylize with: the source as it is
    }
    if (!building_.valid())
        matchContent(input);
    const render::Size processing = brush_.processingSize(input.size());
    {
        std::lock_guard lock(mutex_);
        processing_ = processing;
    }
    const render::FrameGeometry target = output;
    if (building_.valid() || stylizer_.needsPlan(input, processing, target)) {
        if (!building_.valid()) {
            // The build runs beside this thread's collects: nothing of the old plan may be
            // in flight (settled frames are collected from the list, not the engine).
            stylizer_.settle();
            const render::FrameGeometry geometry = input;
            warmUpPercent_ = -1;
            building_ = std::async(std::launch::async, [this, geometry, processing, target] {
                stylizer_.prepare(geometry, processing, target);
            });
            buildStart_ = std::chrono::steady_clock::now();
        }
        // A warm rebuild (new brush size) is quick: wait for it rather than flash
        // unstylized frames; a new source's first frames wait less.
        const auto grace = std::chrono::milliseconds(styledThisSource_ ? 1500 : 700);
        if (building_.wait_until(buildStart_ + grace) != std::future_status::ready) {
            if (!announced_.exchange(true) && callbacks_.preparing)
                callbacks_.preparing(preparingMessage());
            return false;
        }
        if (announced_.exchange(false) && callbacks_.preparing)
            callbacks_.preparing({});
        building_.get();  // rethrows the build's failure
    }
    stylizer_.submitShared(input, processing, output);
    return true;
}

}  // namespace stylize::studio
