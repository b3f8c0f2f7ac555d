// LiveStylize's failure policy: a frame that fails to stylize (a device timeout, a lost
// device) rebuilds the plans once and says so; a second failure in a row stops stylizing
// (the source shows unstylized) with a sentence, until the user asks for something new.
// The failure here is a real one of the engine: a blend across two models asked for a
// YUV frame, which only single-model blends produce. And frames in flight: two deep give
// what one at a time gives, byte for byte, and a blend change waits for the frames
// started before it (they keep the settings they were started with).
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <QString>
#include <QStringList>

#include <gtest/gtest.h>

#include "frame.h"
#include "studio/live_stylize.h"
#include "studio/style_library.h"
#include "support/test_paths.h"
#include "vk/context.h"

namespace stylize::studio {
namespace {

// The device (lavapipe here) and the tiny test model; skipped without a device.
class OnDevice : public ::testing::Test {
protected:
    void SetUp() override
    {
        try {
            context_ = std::make_unique<vk::Context>("");
        } catch (const std::exception& e) {
            GTEST_SKIP() << "no Vulkan device: " << e.what();
        }
    }
    static QString tinyModelPath()
    {
        return QString::fromStdString((test::dataDir() / "model" / "transformer_small.onnx").string());
    }
    std::unique_ptr<vk::Context> context_;
};
using LiveStylizeFailures = OnDevice;
using LiveStylizeInFlight = OnDevice;

TEST_F(LiveStylizeFailures, RebuildOnceThenStopAndSaySo)
{
    StyleLibrary library;
    StyleLibrary::Loaded tiny = StyleLibrary::load(tinyModelPath());
    const QString first = StyleLibrary::styleId(tiny.path, 0), second = StyleLibrary::styleId("/copy.onnx", 0);
    library.append({"/copy.onnx", tiny.model});
    library.append(std::move(tiny));
    std::mutex libraryMutex;
    QStringList failures, preparing;
    LiveStylize::Callbacks callbacks;
    callbacks.failed = [&](const QString& m) { failures << m; };
    callbacks.preparing = [&](const QString& m) { preparing << m; };
    LiveStylize live(*context_, library, libraryMutex, 15, callbacks);
    BlendSettings blend;
    blend.styles = {{first, 0.5}, {second, 0.5}};
    blend.brushPercent = 100;
    live.setBlend(blend);

    std::vector<std::uint8_t> pixels(32 * 24 * 4, 128);
    render::FrameView frame;
    frame.width = 32;
    frame.height = 24;
    frame.strides[0] = 32 * 4;
    frame.planes[0] = pixels.data();
    render::FrameGeometry yuv;
    yuv.layout = render::PixelLayout::Yuv420p;
    yuv.width = 32;
    yuv.height = 24;
    const auto tryFrames = [&](int n) {
        for (int i = 0; i < n; ++i)
            EXPECT_FALSE(live(frame, yuv).memory) << "frame " << i;
    };
    // The first plan builds on a helper thread (a compile, seconds on a CPU driver):
    // frames come back unstylized until it is ready and the run fails.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (failures.isEmpty() && std::chrono::steady_clock::now() < deadline) {
        tryFrames(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(failures.size(), 1) << failures.join("\n").toStdString();
    EXPECT_TRUE(failures[0].contains("Preparing the style again")) << failures[0].toStdString();
    EXPECT_TRUE(failures[0].contains("RGBA")) << "names what failed: " << failures[0].toStdString();
    // The rebuilt plan (pipelines kept: no compile) fails too: give up, say so.
    while (failures.size() == 1 && std::chrono::steady_clock::now() < deadline)
        tryFrames(1);
    ASSERT_EQ(failures.size(), 2);
    EXPECT_TRUE(failures[1].contains("unstylized")) << failures[1].toStdString();
    tryFrames(5);  // no retry, no more messages
    EXPECT_EQ(failures.size(), 2);

    // A new blend (or source) is something new: one more try, with the same policy.
    blend.strength = 0.9;
    live.setBlend(blend);
    while (failures.size() < 4 && std::chrono::steady_clock::now() < deadline)
        tryFrames(1);
    ASSERT_EQ(failures.size(), 4);
    EXPECT_TRUE(failures[2].contains("Preparing the style again")) << failures[2].toStdString();
    EXPECT_TRUE(failures[3].contains("unstylized")) << failures[3].toStdString();
    tryFrames(3);
    EXPECT_EQ(failures.size(), 4);
    live.sourceChanged();
    while (failures.size() < 6 && std::chrono::steady_clock::now() < deadline)
        tryFrames(1);
    EXPECT_EQ(failures.size(), 6);

    // And a frame it can make works again (RGBA), after a failure.
    render::FrameGeometry rgba;
    rgba.width = 32;
    rgba.height = 24;
    live.setBlend(blend);
    render::SharedFrame styled;
    while (!styled.memory && std::chrono::steady_clock::now() < deadline)
        styled = live(frame, rgba);
    EXPECT_TRUE(styled.memory);
    EXPECT_EQ(failures.size(), 6);
}

// The bytes of a frame's RGBA rows.
std::vector<std::uint8_t> pixelsOf(const render::SharedFrame& f)
{
    std::vector<std::uint8_t> out;
    for (int y = 0; y < f.height; ++y)
        out.insert(out.end(), f.planes[0] + std::ptrdiff_t(y) * f.strides[0],
                   f.planes[0] + std::ptrdiff_t(y) * f.strides[0] + f.width * 4);
    return out;
}

TEST_F(LiveStylizeInFlight, TwoDeepGiveWhatOneAtATimeGivesAndABlendChangeWaitsForThem)
{
    StyleLibrary library;
    StyleLibrary::Loaded tiny = StyleLibrary::load(tinyModelPath());
    // A second model of the same weights, its own object: its own stylizer.
    StyleLibrary::Loaded copy = StyleLibrary::load(tiny.path);
    copy.path = "/copy.onnx";
    const QString style = StyleLibrary::styleId(tiny.path, 0), other = StyleLibrary::styleId(copy.path, 0);
    library.append(std::move(copy));
    library.append(std::move(tiny));
    std::mutex libraryMutex;
    QStringList failures;
    LiveStylize::Callbacks callbacks;
    callbacks.failed = [&](const QString& m) { failures << m; };
    LiveStylize live(*context_, library, libraryMutex, 15, callbacks, 2);  // two deep, even on lavapipe
    BlendSettings full;
    full.styles = {{style, 1.0}};
    full.brushPercent = 100;
    BlendSettings half = full;
    half.strength = 0.5;
    live.setBlend(full);

    std::vector<std::uint8_t> a(32 * 24 * 4), b(32 * 24 * 4);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = std::uint8_t(i * 7 % 251);
        b[i] = std::uint8_t(255 - i * 3 % 241);
    }
    const auto view = [](std::vector<std::uint8_t>& pixels) {
        render::FrameView f;
        f.width = 32;
        f.height = 24;
        f.strides[0] = 32 * 4;
        f.planes[0] = pixels.data();
        return f;
    };
    render::FrameGeometry rgba;
    rgba.width = 32;
    rgba.height = 24;
    // The first plan builds on a helper thread: submits are refused until it is ready.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!live.submit(view(a), rgba) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::vector<std::uint8_t> fullA = pixelsOf(live.collect());
    const std::vector<std::uint8_t> fullB = pixelsOf(live(view(b), rgba));
    ASSERT_EQ(fullA.size(), a.size());
    ASSERT_EQ(fullB.size(), b.size());
    ASSERT_NE(fullA, fullB);
    EXPECT_EQ(live.depth(), 2);

    // Two deep: each collect gives its own frame's result, as one at a time did.
    ASSERT_TRUE(live.submit(view(a), rgba));
    ASSERT_TRUE(live.submit(view(b), rgba));
    EXPECT_EQ(pixelsOf(live.collect()), fullA);
    EXPECT_EQ(pixelsOf(live.collect()), fullB);
    EXPECT_FALSE(live.collect().memory) << "nothing in flight gives no frame";

    // A change of strength with a frame in flight: that frame keeps full strength.
    ASSERT_TRUE(live.submit(view(a), rgba));
    live.setBlend(half);
    ASSERT_TRUE(live.submit(view(b), rgba));
    const std::vector<std::uint8_t> startedBefore = pixelsOf(live.collect());
    const std::vector<std::uint8_t> startedAfter = pixelsOf(live.collect());
    EXPECT_EQ(startedBefore, fullA);
    const std::vector<std::uint8_t> halfB = pixelsOf(live(view(b), rgba));
    EXPECT_NE(halfB, fullB);
    EXPECT_EQ(startedAfter, halfB);

    // A blend across two models mixes on the CPU between their runs: one deep.
    BlendSettings across = full;
    across.styles = {{style, 0.5}, {other, 0.5}};
    live.setBlend(full);
    EXPECT_EQ(pixelsOf(live(view(a), rgba)), fullA) << "back at full strength";
    ASSERT_TRUE(live.submit(view(a), rgba));
    live.setBlend(across);
    bool started = false;
    while (!(started = live.submit(view(b), rgba)) && failures.isEmpty() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the second model's plan
    EXPECT_EQ(pixelsOf(live.collect()), fullA) << "the frame started before the change";
    if (started) {
        EXPECT_EQ(live.depth(), 1);
        EXPECT_EQ(pixelsOf(live.collect()), fullB) << "the same model twice, half and half, is that model";
    }
    EXPECT_TRUE(started);

    // The first model's stylizer freed (the library changed, the blend uses the other
    // one) while it holds a frame in flight: that frame is collected first, not lost.
    live.setBlend(full);
    EXPECT_EQ(pixelsOf(live(view(a), rgba)), fullA);
    ASSERT_TRUE(live.submit(view(a), rgba));
    BlendSettings otherOnly = full;
    otherOnly.styles = {{other, 1.0}};
    live.setBlend(otherOnly);
    live.libraryChanged();
    while (!(started = live.submit(view(b), rgba)) && failures.isEmpty() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(pixelsOf(live.collect()), fullA) << "the frame the freed stylizer held";
    EXPECT_EQ(pixelsOf(live.collect()), fullB) << "the same weights in the other model";
    EXPECT_TRUE(failures.isEmpty()) << failures.join("\n").toStdString();
}

}  // namespace
}  // namespace stylize::studio
