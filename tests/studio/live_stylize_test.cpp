// LiveStylize's failure policy: a frame that fails to stylize (a device timeout, a lost
// device) rebuilds the plans once and says so; a second failure in a row stops stylizing
// (the source shows unstylized) with a sentence, until the user asks for something new.
// The failure here is a real one of the engine: a blend across two models asked for a
// YUV frame, which only single-model blends produce.
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

TEST(LiveStylizeFailures, RebuildOnceThenStopAndSaySo)
{
    std::unique_ptr<vk::Context> context;
    try {
        context = std::make_unique<vk::Context>("");
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no Vulkan device: " << e.what();
    }
    StyleLibrary library;
    StyleLibrary::Loaded tiny =
        StyleLibrary::load(QString::fromStdString((test::dataDir() / "model" / "transformer_small.onnx").string()));
    const QString first = StyleLibrary::styleId(tiny.path, 0), second = StyleLibrary::styleId("/copy.onnx", 0);
    library.append({"/copy.onnx", tiny.model});
    library.append(std::move(tiny));
    std::mutex libraryMutex;
    QStringList failures, preparing;
    LiveStylize::Callbacks callbacks;
    callbacks.failed = [&](const QString& m) { failures << m; };
    callbacks.preparing = [&](const QString& m) { preparing << m; };
    LiveStylize live(*context, library, libraryMutex, 15, callbacks);
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

}  // namespace
}  // namespace stylize::studio
