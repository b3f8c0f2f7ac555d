// The app's export (StudioExport) with frames in flight: two deep it writes the video one
// at a time writes, frame for frame (MD5 of every decoded frame); a blend across models
// stays one deep and still exports; a cancel with frames on the device leaves a file that
// plays and says how many frames it holds.
#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <QString>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "studio/studio_export.h"
#include "studio/style_library.h"
#include "support/test_paths.h"
#include "vk/context.h"

namespace stylize::studio {
namespace {

using namespace std::chrono_literals;

std::string commandOutput(const std::string& command)
{
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe)
        return out;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        out.append(buffer.data(), n);
    return out;
}

// Every decoded video frame's MD5, one line each.
std::string frameMd5s(const QString& file)
{
    return commandOutput("ffmpeg -v error -i '" + file.toStdString() + "' -map 0:v -f framemd5 - | grep -v '^#'");
}

// One export run to its end: the finished callback's verdict and sentence.
struct Outcome {
    bool ok = false;
    QString message;
    int progressCalls = 0;
};

class StudioExportOnDevice : public ::testing::Test {
protected:
    void SetUp() override
    {
        try {
            context_ = std::make_unique<vk::Context>("");
        } catch (const std::exception& e) {
            GTEST_SKIP() << "no Vulkan device: " << e.what();
        }
        ASSERT_TRUE(dir_.isValid());
        StyleLibrary::Loaded tiny =
            StyleLibrary::load(QString::fromStdString((test::dataDir() / "model" / "transformer_small.onnx").string()));
        first_ = StyleLibrary::styleId(tiny.path, 0);
        second_ = StyleLibrary::styleId("/copy.onnx", 0);
        library_.append({"/copy.onnx", tiny.model});
        library_.append(std::move(tiny));
    }

    QString makeClip(const QString& name, int frames)
    {
        const QString clip = dir_.filePath(name);
        const std::string command = "ffmpeg -v error -y -f lavfi -i testsrc2=size=96x64:rate=10 -frames:v " +
                                    std::to_string(frames) + " -pix_fmt yuv420p '" + clip.toStdString() + "'";
        EXPECT_EQ(std::system(command.c_str()), 0) << command;
        return clip;
    }

    // Runs an export of `blend` to its end; `onProgress` may cancel it.
    Outcome exportWith(const BlendSettings& blend, const QString& input, const QString& output, int framesInFlight,
                       int* depth = nullptr,
                       const std::function<void(StudioExport&, const ExportProgress&)>& onProgress = {})
    {
        ExportRequest request;
        request.input = input;
        request.output = output;
        StudioExport job(*context_, library_.resolve(blend), blend, request, framesInFlight);
        if (depth)
            *depth = job.framesInFlight();
        std::mutex mutex;
        std::condition_variable done;
        std::optional<Outcome> outcome;
        int progressCalls = 0;
        job.start(
            [&](const ExportProgress& p) {
                {
                    std::lock_guard lock(mutex);
                    ++progressCalls;
                }
                if (onProgress)
                    onProgress(job, p);
            },
            [&](bool ok, const QString& message) {
                std::lock_guard lock(mutex);
                outcome = Outcome{ok, message, progressCalls};
                done.notify_all();
            });
        std::unique_lock lock(mutex);
        EXPECT_TRUE(done.wait_for(lock, 600s, [&] { return outcome.has_value(); })) << "export did not finish";
        lock.unlock();
        job.wait();
        return outcome.value_or(Outcome{false, "timed out", 0});
    }

    std::unique_ptr<vk::Context> context_;
    QTemporaryDir dir_;
    StyleLibrary library_;
    QString first_, second_;
};

TEST_F(StudioExportOnDevice, TwoDeepWritesWhatOneAtATimeWritesAndCrossModelBlendsGoOneDeep)
{
    const QString clip = makeClip("clip.mp4", 12);
    BlendSettings blend;
    blend.styles = {{first_, 1.0}};
    blend.strength = 0.75;  // the look travels with each flight
    blend.brushPercent = 50;  // processing 48x32, output 96x64
    int depth = 0;
    const QString one = dir_.filePath("one.mkv"), two = dir_.filePath("two.mkv");
    Outcome a = exportWith(blend, clip, one, 1, &depth);
    EXPECT_TRUE(a.ok) << a.message.toStdString();
    EXPECT_EQ(depth, 1);
    Outcome b = exportWith(blend, clip, two, 2, &depth);
    EXPECT_TRUE(b.ok) << b.message.toStdString();
    EXPECT_EQ(depth, 2);
    EXPECT_TRUE(b.message.startsWith("Exported 12 frames")) << b.message.toStdString();
    const std::string expected = frameMd5s(one);
    EXPECT_EQ(std::count(expected.begin(), expected.end(), '\n'), 12) << expected;
    EXPECT_EQ(frameMd5s(two), expected);

    // Styles of two models mix on the CPU between their runs: one deep whatever is asked.
    blend.styles = {{first_, 0.5}, {second_, 0.5}};
    const QString mixed = dir_.filePath("mixed.mkv");
    Outcome c = exportWith(blend, clip, mixed, 2, &depth);
    EXPECT_TRUE(c.ok) << c.message.toStdString();
    EXPECT_EQ(depth, 1);
    const std::string mixedMd5 = frameMd5s(mixed);
    EXPECT_EQ(std::count(mixedMd5.begin(), mixedMd5.end(), '\n'), 12);
}

TEST_F(StudioExportOnDevice, CancelTwoDeepLeavesAFileThatPlays)
{
    const QString clip = makeClip("long.mp4", 900);
    BlendSettings blend;
    blend.styles = {{first_, 1.0}};
    blend.brushPercent = 50;
    const QString out = dir_.filePath("cancelled.mkv");
    // Cancelled once a few frames are written, with two more on the device.
    Outcome r = exportWith(blend, clip, out, 2, nullptr, [](StudioExport& job, const ExportProgress& p) {
        if (p.framesDone >= 3)
            job.cancel();
    });
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.message.startsWith("Export cancelled:")) << r.message.toStdString();
    const std::string md5 = frameMd5s(out);
    const long frames = std::count(md5.begin(), md5.end(), '\n');
    EXPECT_TRUE(r.message.contains(QString("first %1 frames").arg(frames)))
        << r.message.toStdString() << " / decoded " << frames;
    EXPECT_GE(frames, 3);
    EXPECT_LT(frames, 900);
    EXPECT_EQ(commandOutput("ffmpeg -v error -i '" + out.toStdString() + "' -f null - 2>&1"), "");
}

}  // namespace
}  // namespace stylize::studio
