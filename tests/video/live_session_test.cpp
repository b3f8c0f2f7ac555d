// The one live pipeline (pipeline::LiveSession, what `stylize-cli live` and the app both
// run): recordings keep the view's colours, a recording spans source switches and loops
// on one timeline, unstylized frames stand in while the stylizer prepares, still images
// repeat, a failing recording stops alone with the reason. The stylizer here is a plain
// function (no GPU): these tests are about the frames' way, not the network.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include "pipeline/live_recording.h"
#include "pipeline/live_session.h"
#include "video/frame_pool.h"
#include "colour_pattern.h"
#include "video_test_support.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace stylize::pipeline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::decodeRgb;
using test::paintPattern;
using test::worstPatchError;

TEST(LiveRecording, KeepsTheViewsColoursWithinTwoLevelsAtSdAndHd)
{
    for (const auto& [w, h] : {std::pair{640, 360}, std::pair{1280, 720}}) {
        const fs::path file = test::videoTempDir() / ("pattern_" + std::to_string(w) + ".mkv");
        video::FramePool pool;
        RecordSettings settings;
        settings.path = file.string();
        {
            LiveRecording recording(settings);
            for (int i = 0; i < 12; ++i) {
                video::FramePtr f = pool.get(AV_PIX_FMT_RGBA, w, h);
                paintPattern(f->data[0], f->linesize[0], w, h);
                ASSERT_TRUE(recording.push({std::move(f), i * 33'333, 33'333}));
                std::this_thread::sleep_for(5ms);
            }
            const RecordingStats r = recording.finish();
            EXPECT_GT(r.recorded, 0);
        }
        const std::vector<std::uint8_t> rgb = decodeRgb(file, w, h);
        ASSERT_EQ(rgb.size(), std::size_t(w) * h * 3);
        std::string where;
        EXPECT_LE(worstPatchError(rgb, w, h, &where), 2) << w << "x" << h << ": " << where;
    }
}

TEST(LiveRecording, WithoutFramesLeavesNoFile)
{
    const fs::path file = test::videoTempDir() / "never.mkv";
    RecordSettings settings;
    settings.path = file.string();
    settings.size = {64, 48};
    LiveRecording recording(settings);
    EXPECT_EQ(recording.finish().recorded, 0);
    EXPECT_FALSE(fs::exists(file));
}

TEST(LiveRecording, AMissingFolderIsNamed)
{
    RecordSettings settings;
    settings.path = "/no/such/folder/rec.mkv";
    try {
        LiveRecording recording(settings);
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("/no/such/folder"), std::string::npos) << e.what();
    }
}

// A stand-in stylizer: paints the colour pattern (or declines, while "preparing").
struct PatternStylizer {
    std::atomic<bool> ready{true};
    bool operator()(const render::FrameView&, const render::MutableFrameView& out) const
    {
        if (!ready)
            return false;
        paintPattern(out.planes[0], out.strides[0], out.width, out.height);
        return true;
    }
};

LiveConfig appConfig()
{
    LiveConfig c;
    c.loop = true;
    c.warmUp = false;
    c.view = true;
    c.viewMaxSide = 1280;
    return c;
}

// As the app listens: a source that stops is reported (here a failure) and the session
// waits for the next one. Without it one source is the whole run (the CLI's case).
LiveEvents appEvents()
{
    LiveEvents e;
    e.sourceStopped = [](const std::string& message) { ADD_FAILURE() << message; };
    return e;
}

// Runs a session on a thread of its own; stops and joins it however the test ends.
class Running {
public:
    explicit Running(LiveSession& s) : session_(s), thread_([this] { run(); }) {}
    ~Running() { finish(); }
    void finish()
    {
        session_.stop();
        if (thread_.joinable())
            thread_.join();
    }
    const std::string& error() const { return error_; }
    bool done() const { return done_; }

private:
    void run()
    {
        try {
            session_.run();
        } catch (const std::exception& e) {
            error_ = e.what();
        }
        done_ = true;
    }
    LiveSession& session_;
    std::string error_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

std::string describe(const LiveStats& s)
{
    return "captured " + std::to_string(s.captured) + ", stylized " + std::to_string(s.stylized) + ", passed through " +
           std::to_string(s.passedThrough) + ", recorded " + std::to_string(s.recorded) + ", dropped " +
           std::to_string(s.droppedBeforeStylize) + " + " + std::to_string(s.droppedBeforeRecord);
}

template <class Pred>
bool waitFor(Pred pred, std::chrono::seconds limit = 30s)
{
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

TEST(LiveSession, ARecordingSpansSourceSwitchesAndLoopsOnOneTimeline)
{
    const fs::path clip =
        test::makeClip("short_loop.mp4", "-f lavfi -i testsrc2=size=160x120:rate=30 -t 0.5 -pix_fmt yuv420p");
    const fs::path file = test::videoTempDir() / "spanning.mkv";
    PatternStylizer stylizer;
    std::atomic<int> frames{0};
    std::mutex m;
    std::vector<std::string> started;
    LiveEvents events;
    events.sourceStarted = [&](const video::SourceSpec& s, render::Size) {
        std::lock_guard lock(m);
        started.push_back(s.location);
    };
    events.sourceStopped = [](const std::string& message) { ADD_FAILURE() << message; };
    LiveSession session(
        appConfig(), std::ref(stylizer), [&](const LiveFrame&) { ++frames; }, events);
    Running runner(session);
    session.setSource(video::fileSource(clip.string()));
    RecordSettings settings;
    settings.path = file.string();
    session.startRecording(settings);
    // 0.5 s clip: three loops of it, then the test pattern.
    ASSERT_TRUE(waitFor([&] { return frames >= 40; })) << frames;
    session.setSource(video::resolveSource("lavfi:testsrc2=size=320x240:rate=30,realtime"));
    ASSERT_TRUE(waitFor([&] { return frames >= 70; })) << frames;
    const RecordingStats r = session.stopRecording();
    runner.finish();
    EXPECT_EQ(runner.error(), "");
    {
        std::lock_guard lock(m);
        ASSERT_EQ(started.size(), 2u);
    }
    EXPECT_GE(r.recorded, 50);
    const std::vector<double> times = test::frameTimes(file);
    ASSERT_EQ(std::int64_t(times.size()), r.recorded);
    // Across the loops and the switch the frames stay on the sources' 30 fps grid: every
    // step forward is a whole number of frame intervals (more than one where a busy
    // encoder dropped frames), never back in time and never a jump.
    for (std::size_t i = 1; i < times.size(); ++i) {
        const double step = times[i] - times[i - 1];
        ASSERT_GT(step, 0) << "frame " << i << " goes back in time";
        const long intervals = std::lround(step * 30);
        EXPECT_NEAR(step, intervals / 30.0, 0.002) << "frame " << i << " is off the 30 fps grid";
        EXPECT_LE(intervals, 15) << "frame " << i << " jumps " << step << " s";
    }
    EXPECT_TRUE(test::playsCleanly(file));
}

TEST(LiveSession, TheSourceStandsInWhileTheStylizerPreparesAndStillImagesRepeat)
{
    const fs::path image = test::makeClip("still.png", "-f lavfi -i color=c=0x2040c0:size=96x64 -frames:v 1");
    PatternStylizer stylizer;
    stylizer.ready = false;
    std::mutex m;
    std::vector<std::array<int, 4>> shown;  // first pixel, stylized
    LiveConfig config = appConfig();
    config.viewBefore = true;
    LiveSession session(
        config, std::ref(stylizer),
        [&](const LiveFrame& f) {
            ASSERT_TRUE(f.shown.memory);
            ASSERT_TRUE(f.before.memory);
            EXPECT_EQ(f.shown.width, 96);
            const std::uint8_t* p = f.shown.planes[0] + f.shown.strides[0] * 32 + 48 * 4;
            std::lock_guard lock(m);
            shown.push_back({p[0], p[1], p[2], f.stylized ? 1 : 0});
        },
        appEvents());
    Running runner(session);
    session.setSource(video::fileSource(image.string()));
    const auto count = [&] {
        std::lock_guard lock(m);
        return shown.size();
    };
    ASSERT_TRUE(waitFor([&] { return count() >= 10; }));  // a one-frame file goes on at 30 fps
    stylizer.ready = true;
    ASSERT_TRUE(waitFor([&] { return count() >= 20; }));
    const LiveStats stats = session.stats();
    runner.finish();
    EXPECT_EQ(runner.error(), "");
    std::lock_guard lock(m);
    EXPECT_EQ(shown.front()[3], 0);
    EXPECT_NEAR(shown.front()[0], 0x20, 3);  // the source itself while preparing
    EXPECT_NEAR(shown.front()[1], 0x40, 3);
    EXPECT_NEAR(shown.front()[2], 0xc0, 3);
    EXPECT_EQ(shown.back()[3], 1);
    EXPECT_GE(stats.passedThrough, 10);
    EXPECT_GE(stats.stylized, 1);
}

// Started with no source and no sourceStopped listener (the CLI's settings), a session
// waits for its first setSource(), plays that one source and then ends by itself. (It
// used to end at once, before setSource() reached it.)
TEST(LiveSession, StartedWithoutASourceWaitsForTheFirstOne)
{
    const fs::path clip =
        test::makeClip("first_source.mp4", "-f lavfi -i testsrc2=size=160x120:rate=30 -t 0.5 -pix_fmt yuv420p");
    PatternStylizer stylizer;
    std::atomic<int> shown{0};
    LiveConfig config = appConfig();
    config.loop = false;
    LiveSession session(config, std::ref(stylizer), [&](const LiveFrame&) { ++shown; });
    Running runner(session);
    std::this_thread::sleep_for(300ms);
    ASSERT_FALSE(runner.done()) << "the session ended before its first source: " << runner.error();
    EXPECT_EQ(shown, 0);
    session.setSource(video::fileSource(clip.string()));
    ASSERT_TRUE(waitFor([&] { return runner.done(); })) << describe(session.stats());
    EXPECT_EQ(runner.error(), "");
    EXPECT_GE(shown, 10) << describe(session.stats());
}

TEST(LiveSession, AFailingRecordingStopsAloneWithTheReason)
{
    if (!fs::exists("/dev/full"))
        GTEST_SKIP() << "no /dev/full";
    PatternStylizer stylizer;
    std::atomic<int> frames{0};
    std::mutex m;
    std::string failure;
    LiveEvents events;
    events.recordingFailed = [&](const std::string& message) {
        std::lock_guard lock(m);
        failure = message;
    };
    LiveSession session(
        appConfig(), std::ref(stylizer), [&](const LiveFrame&) { ++frames; }, events);
    Running runner(session);
    session.setSource(video::resolveSource("lavfi:testsrc2=size=320x240:rate=30,realtime"));
    RecordSettings settings;
    settings.path = "/dev/full";
    settings.codec = "h264";
    session.startRecording(settings);
    const bool reported = waitFor(
        [&] {
            std::lock_guard lock(m);
            return !failure.empty();
        },
        10s);
    ASSERT_TRUE(reported) << "no failure reported in 10 s: " << describe(session.stats());
    const int framesAtFailure = frames;
    ASSERT_TRUE(waitFor([&] { return frames >= framesAtFailure + 10; }))
        << "the view stopped with the recording: " << describe(session.stats());
    EXPECT_FALSE(session.recording());
    runner.finish();
    EXPECT_EQ(runner.error(), "");
    EXPECT_NE(failure.find("/dev/full"), std::string::npos) << failure;
}

// A stand-in for render::Stylizer::submit/collect: the result of a frame is written only
// when it is collected (as the engine copies its readback then), a 32-bit hash of the
// source's luma as submitted in the first pixel, so the view can tell which source it
// belongs to. `deviceTime` is spent in collect, as a wait on the device's fence.
class FlightStylizer {
public:
    explicit FlightStylizer(std::chrono::milliseconds deviceTime) : deviceTime_(deviceTime) {}
    PipelinedStylize pipelined(int depth)
    {
        PipelinedStylize p;
        p.submit = [this](const render::FrameView& in, const render::MutableFrameView& out) {
            std::lock_guard lock(m_);
            if (!jobs_.empty())
                ++submittedBehindAnother_;
            jobs_.push_back({hashOf(in), out});
            most_ = std::max(most_, jobs_.size());
            ++submitted_;
        };
        p.collect = [this] {
            std::this_thread::sleep_for(deviceTime_);
            std::lock_guard lock(m_);
            ASSERT_FALSE(jobs_.empty()) << "collect with nothing in flight";
            const Job job = jobs_.front();
            jobs_.pop_front();
            std::memcpy(job.out.planes[0], &job.hash, 4);
            ++collected_;
        };
        p.depth = depth;
        return p;
    }
    static std::uint32_t hashOf(const render::FrameView& f)
    {
        std::uint32_t h = 2166136261u;  // FNV-1a over the luma plane
        for (int y = 0; y < f.height; ++y)
            for (int x = 0; x < f.width; ++x)
                h = (h ^ f.planes[0][std::ptrdiff_t(y) * f.strides[0] + x]) * 16777619u;
        return h;
    }
    std::size_t most() const { return locked(most_); }
    std::size_t submitted() const { return locked(submitted_); }
    std::size_t collected() const { return locked(collected_); }
    std::size_t submittedBehindAnother() const { return locked(submittedBehindAnother_); }

private:
    struct Job {
        std::uint32_t hash;
        render::MutableFrameView out;
    };
    std::size_t locked(const std::size_t& v) const
    {
        std::lock_guard lock(m_);
        return v;
    }
    const std::chrono::milliseconds deviceTime_;
    mutable std::mutex m_;
    std::deque<Job> jobs_;                       // m_
    std::size_t most_ = 0;                       // m_: most in flight at once
    std::size_t submitted_ = 0, collected_ = 0;  // m_
    std::size_t submittedBehindAnother_ = 0;     // m_: submits while a frame was in flight
};

// Shows frames of `source` through a FlightStylizer `depth` deep until `frames` were shown;
// every shown frame must carry its own source's hash. Returns the frames shown.
int showInFlight(FlightStylizer& stylizer, int depth, const std::string& source, int frames, LiveStats& stats)
{
    std::atomic<int> shown{0};
    std::atomic<int> mismatched{0};
    LiveSession session(
        appConfig(), stylizer.pipelined(depth),
        [&](const LiveFrame& f) {
            std::uint32_t got = 0;
            std::memcpy(&got, f.shown.planes[0], 4);
            if (got != FlightStylizer::hashOf(f.source))
                ++mismatched;
            EXPECT_TRUE(f.stylized);
            ++shown;
        },
        appEvents());
    Running runner(session);
    session.setSource(video::resolveSource(source));
    EXPECT_TRUE(waitFor([&] { return shown >= frames; })) << describe(session.stats());
    runner.finish();
    EXPECT_EQ(runner.error(), "");
    stats = session.stats();
    EXPECT_EQ(mismatched, 0) << "frames shown with another frame's result";
    // Everything submitted was collected and shown, the frames in flight at the stop too.
    EXPECT_EQ(stylizer.collected(), stylizer.submitted());
    EXPECT_EQ(std::int64_t(stylizer.submitted()), stats.stylized);
    return shown;
}

TEST(LiveSession, KeepsTwoFramesInFlightWhileTheNetworkSetsTheRate)
{
    // The "device" needs 60 ms a frame, the camera gives one every 33 ms: frames wait,
    // so the next is submitted while one is in flight.
    FlightStylizer stylizer(60ms);
    LiveStats stats;
    showInFlight(stylizer, 2, "lavfi:testsrc2=size=160x120:rate=30,realtime", 20, stats);
    EXPECT_EQ(stylizer.most(), 2u);
    EXPECT_GE(stylizer.submittedBehindAnother(), 10u) << describe(stats);
    // One deep, the same stylizer never has two.
    FlightStylizer single(60ms);
    showInFlight(single, 1, "lavfi:testsrc2=size=160x120:rate=30,realtime", 10, stats);
    EXPECT_EQ(single.most(), 1u);
}

TEST(LiveSession, HoldsNoFrameInFlightWhileTheSourceSetsThePace)
{
    // A 10 fps source and a 5 ms "device": each frame is collected and shown before the
    // next arrives, never kept on the device to wait for it (that would be latency).
    FlightStylizer stylizer(5ms);
    LiveStats stats;
    showInFlight(stylizer, 2, "lavfi:testsrc2=size=160x120:rate=10,realtime", 12, stats);
    EXPECT_LE(stylizer.submittedBehindAnother(), 1u) << describe(stats);
    EXPECT_EQ(stats.droppedBeforeStylize, 0);
}

// The app's way (LiveStylize over Stylizer::submitShared/collectShared): results in memory
// the stylizer shares, a depth asked before each frame, and both ways of "not now": a
// submit refused (a plan compiling) and a collect that gives no memory (that frame
// failed on the device). Every shown frame must be its own source's result or the
// source itself, and what was started must all be collected, at the stop too.
TEST(LiveSession, SharedResultsInFlightFollowTheStylizersDepthAndStandIns)
{
    struct Job {
        std::uint32_t hash;
        int width, height, number;
    };
    std::mutex m;
    std::deque<Job> jobs;  // m
    int offered = 0, started = 0, collected = 0, behindAnother = 0, most = 0, depthAsked = 0;  // m
    LiveSharedStylize shared;
    shared.submit = [&](const render::FrameView& in, const render::FrameGeometry& out) {
        std::lock_guard lock(m);
        if (++offered % 5 == 0)
            return false;  // preparing
        EXPECT_EQ(out.layout, render::PixelLayout::Rgba8);
        if (!jobs.empty())
            ++behindAnother;
        jobs.push_back({FlightStylizer::hashOf(in), out.width, out.height, ++started});
        most = std::max(most, int(jobs.size()));
        return true;
    };
    shared.collect = [&]() -> render::SharedFrame {
        std::this_thread::sleep_for(70ms);  // the "device", slower than the 30 fps camera
        std::lock_guard lock(m);
        EXPECT_FALSE(jobs.empty()) << "collect with nothing in flight";
        if (jobs.empty())
            return {};
        const Job job = jobs.front();
        jobs.pop_front();
        ++collected;
        if (job.number % 7 == 0)
            return {};  // this frame failed: the source stands in
        auto pixels = std::shared_ptr<std::uint8_t[]>(new std::uint8_t[std::size_t(job.width) * job.height * 4]());
        std::memcpy(pixels.get(), &job.hash, 4);
        render::SharedFrame frame;
        frame.width = job.width;
        frame.height = job.height;
        frame.strides[0] = job.width * 4;
        frame.planes[0] = pixels.get();
        frame.memory = std::move(pixels);
        return frame;
    };
    shared.depth = [&] {
        std::lock_guard lock(m);
        ++depthAsked;
        return (offered / 20) % 2 == 0 ? 2 : 1;  // a blend across models now and then: one deep
    };
    std::atomic<int> shown{0}, stylized{0}, mismatched{0}, standIns{0};
    LiveSession session(
        appConfig(), shared,
        [&](const LiveFrame& f) {
            std::uint32_t got = 0;
            std::memcpy(&got, f.shown.planes[0], 4);
            if (f.stylized) {
                ++stylized;
                if (got != FlightStylizer::hashOf(f.source))
                    ++mismatched;
            } else {
                ++standIns;  // the source, converted: its first pixel is the picture's
            }
            ++shown;
        },
        appEvents());
    Running runner(session);
    session.setSource(video::resolveSource("lavfi:testsrc2=size=160x120:rate=30,realtime"));
    EXPECT_TRUE(waitFor([&] { return shown >= 60; })) << describe(session.stats());
    runner.finish();
    EXPECT_EQ(runner.error(), "");
    const LiveStats stats = session.stats();
    std::lock_guard lock(m);
    EXPECT_EQ(mismatched, 0) << "frames shown with another frame's result";
    EXPECT_EQ(collected, started) << "frames left on the stylizer";
    EXPECT_EQ(most, 2);
    EXPECT_GE(behindAnother, 5) << describe(stats);
    EXPECT_GE(depthAsked, offered);
    // Refused submits and failed collects both showed the source, and were counted so.
    EXPECT_EQ(stats.stylized, stylized.load());
    EXPECT_EQ(stats.passedThrough, standIns.load());
    EXPECT_EQ(stats.stylized + stats.passedThrough, shown.load());
    EXPECT_EQ(stats.passedThrough, (offered - started) + collected / 7);
}

}  // namespace
}  // namespace stylize::pipeline
