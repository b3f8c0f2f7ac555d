// The studio controller's own threads (live session, preview renderer, the predictor's
// helper, export, recording) driven as the window drives them, but with every signal
// received on the thread that emits it (direct connections) into a mutex-guarded log:
// no Qt event queue in between, whose futex-based locks ThreadSanitizer cannot see in
// Debian's uninstrumented Qt. So under STYLIZE_SANITIZE=thread a report here is ours.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "studio/picture_style_set.h"
#include "studio/studio_controller.h"
#include "studio/style_library.h"
#include "support/test_paths.h"

namespace stylize::studio {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Log {
    std::mutex mutex;
    std::condition_variable changed;
    int stylizedFrames = 0;                            // mutex
    QList<StyleCard> cards;                            // mutex
    QStringList errors;                                // mutex
    QStringList picturesAdded;                         // mutex
    RecordingStatus recording;                         // mutex
    std::optional<std::pair<bool, QString>> exported;  // mutex

    // Waits (up to `timeout`) until `done` holds under the lock.
    bool waitFor(std::chrono::seconds timeout, const std::function<bool()>& done)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, timeout, done);
    }
    int frames()
    {
        std::lock_guard lock(mutex);
        return stylizedFrames;
    }
};

TEST(ControllerThreads, LivePicturesBlendsRecordingAndExport)
{
    STYLIZE_REQUIRE_FIXTURES();
    int argc = 1;
    char name[] = "controller_threads_test";
    char* argv[] = {name, nullptr};
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString magenta = QString::fromStdString((test::fixturesDir() / "models" / "magenta-arbitrary").string());
    const QString wave = dir.filePath("great-wave.png"), starry = dir.filePath("starry-night.jpg");
    const fs::path styles = test::fixturesDir().parent_path() / "training" / "styles";
    ASSERT_TRUE(QFile::copy(QString::fromStdString((styles / "GreatWave.png").string()), wave));
    ASSERT_TRUE(QFile::copy(QString::fromStdString((styles / "starry_night.jpg").string()), starry));
    const QString tiny = QString::fromStdString((test::dataDir() / "model" / "transformer_small.onnx").string());

    StudioConfig config;
    config.modelFiles = {tiny, magenta};
    config.pictureStyles = {wave};
    config.sampleImage = QString::fromStdString((test::fixturesDir() / "images" / "chicago.jpg").string());
    config.previewCache = dir.filePath("cache");
    config.targetFps = 30;
    StudioController::registerMetaTypes();
    auto controller = std::make_unique<StudioController>(config);
    StudioController* c = controller.get();
    Log log;
    const auto note = [&](auto&& change) {
        {
            std::lock_guard lock(log.mutex);
            change();
        }
        log.changed.notify_all();
    };
    QObject::connect(c, &StudioController::frameReady, [&](const QImage& shown, const QImage& before) {
        if (shown.cacheKey() != before.cacheKey())  // unstylized frames come as the same image twice
            note([&] { ++log.stylizedFrames; });
        c->frameShown();
    });
    QObject::connect(c, &StudioController::stylesChanged,
                     [&](const QList<StyleCard>& cards) { note([&] { log.cards = cards; }); });
    QObject::connect(c, &StudioController::errorOccurred, [&](const QString& m) { note([&] { log.errors << m; }); });
    QObject::connect(c, &StudioController::pictureStyleAdded,
                     [&](const QString& id, const QString&) { note([&] { log.picturesAdded << id; }); });
    QObject::connect(c, &StudioController::recordingChanged,
                     [&](const RecordingStatus& r) { note([&] { log.recording = r; }); });
    QObject::connect(c, &StudioController::exportFinished,
                     [&](bool ok, const QString& m) { note([&] { log.exported = std::make_pair(ok, m); }); });
    const auto moreFrames = [&](int n, std::chrono::seconds timeout) {
        const int target = log.frames() + n;
        return log.waitFor(timeout, [&] { return log.stylizedFrames >= target; });
    };

    c->start(SourceSpec{SourceKind::TestPattern, "testsrc2=size=96x72:rate=30", "Test pattern"});
    ASSERT_TRUE(moreFrames(3, 900s)) << "no stylized frames (cold compiles: minutes under ThreadSanitizer)";
    const QString waveId = PictureStyleSet::idFor(wave);
    ASSERT_TRUE(log.waitFor(60s, [&] {
        return std::any_of(log.cards.begin(), log.cards.end(), [&](const StyleCard& k) { return k.id == waveId; });
    })) << "the remembered picture has no card";

    // A picture style at half strength: the content's vector from a helper thread.
    BlendSettings blend;
    blend.styles = {{waveId, 1.0}};
    blend.strength = 0.5;
    c->setBlend(blend);
    EXPECT_TRUE(moreFrames(5, 900s));
    // Another picture (the predictor on the controller thread), then a blend across the
    // pack and both pictures while previews render on their own thread.
    c->addPictureStyle(starry);
    ASSERT_TRUE(log.waitFor(60s, [&] { return !log.picturesAdded.isEmpty(); }));
    blend.styles = {{StyleLibrary::styleId(QFileInfo(tiny).absoluteFilePath(), 0), 1.0},
                    {waveId, 1.0},
                    {log.picturesAdded.first(), 1.0}};
    blend.strength = 0.8;
    c->setBlend(blend);
    EXPECT_TRUE(moreFrames(5, 900s));

    // Recording while the blend changes, then an export of the same blend.
    const QString recording = dir.filePath("recording.mkv");
    c->startRecording(recording);
    blend.strength = 1.0;
    c->setBlend(blend);
    EXPECT_TRUE(moreFrames(10, 900s));
    c->stopRecording();
    EXPECT_TRUE(log.waitFor(60s, [&] { return !log.recording.active && log.recording.frames > 0; }))
        << log.recording.frames << " frames recorded";
    EXPECT_TRUE(QFile::exists(recording));

    const QString clip = dir.filePath("clip.mp4");
    ASSERT_EQ(std::system(("ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48:rate=10 -frames:v 6 -pix_fmt yuv420p '" +
                           clip.toStdString() + "'")
                              .c_str()),
              0);
    ExportRequest request;
    request.input = clip;
    request.output = dir.filePath("exported.mkv");
    c->startExport(request);
    ASSERT_TRUE(log.waitFor(900s, [&] { return log.exported.has_value(); }));
    EXPECT_TRUE(log.exported->first) << log.exported->second.toStdString();

    c->shutdown();
    controller.reset();
    std::lock_guard lock(log.mutex);
    EXPECT_TRUE(log.errors.isEmpty()) << log.errors.join("\n").toStdString();
}

}  // namespace
}  // namespace stylize::studio
