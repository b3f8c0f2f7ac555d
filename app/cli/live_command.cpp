// stylize-cli live: a camera or the test pattern stylized headless for N seconds,
// optionally recorded; statistics (including dropped frames) as it runs.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/progress_printer.h"
#include "pipeline/live_session.h"
#include "video/av_error.h"

namespace stylize::cli {

constexpr int kExitInterrupted = 130;  // as README says: stopped by Ctrl-C

int liveCommand(const std::vector<std::string>& args)
{
    Arguments a(
        args,
        {"source", "record", "seconds", "model", "style", "style-image", "strength", "scene-light", "steady", "size",
         "processing", "capture-size", "capture-fps", "codec", "crf", "preset", "precision", "device", "in-flight"},
        {"preserve-colours", "verbose"});
    if (!a.positionals().empty())
        throw UsageError("live takes no positional arguments (use --source and --record)");
    video::configureFfmpegLog(a.flag("verbose"));

    pipeline::LiveConfig config;
    config.source = a.value("source", "testsrc");
    config.record = a.value("record", "");
    config.seconds = a.number("seconds", 0, 0, 24 * 3600);
    config.recordSize = a.size("size");
    config.captureSize = a.size("capture-size");
    config.captureFps = a.number("capture-fps", 0, 0, 1000);
    config.codec = a.value("codec", "");
    config.crf = a.integer("crf", -1, 0, 63);
    config.preset = a.value("preset", "");
    const render::Size processing = a.size("processing");

    installInterruptFlag();
    EngineSetup engine(a);

    // The session submits a second frame only when one waits (the network sets the rate).
    pipeline::PipelinedStylize stylize = engine.pipelined(a, processing);
    pipeline::LiveSession session(config, std::move(stylize));
    if (interruptRequested())
        session.stop();
    auto lastLine = std::chrono::steady_clock::now();
    const pipeline::LiveResult result = session.run([&](const pipeline::LiveStats& s) {
        if (interruptRequested())
            session.stop();
        const auto now = std::chrono::steady_clock::now();
        if (now - lastLine < std::chrono::seconds(1))
            return;
        lastLine = now;
        if (s.captured == 0) {
            std::fprintf(stderr, "live: warming up the stylizer...\n");
            return;
        }
        std::fprintf(stderr, "live: %.1f s, %lld frames, %.1f fps, %.1f ms/frame, dropped %lld + %lld\n", s.seconds,
                     static_cast<long long>(s.stylized), s.fps, s.msPerFrame,
                     static_cast<long long>(s.droppedBeforeStylize), static_cast<long long>(s.droppedBeforeRecord));
    });
    const pipeline::LiveStats& s = result.stats;
    std::printf(
        "Live from %s (%dx%d): %lld frames captured, %lld stylized in %.1f s of source time (%.1f fps, "
        "%.1f ms/frame on %s); dropped %lld before the stylizer and %lld before the recorder.\n",
        result.sourceLabel.c_str(), s.sourceSize.width, s.sourceSize.height, static_cast<long long>(s.captured),
        static_cast<long long>(s.stylized), s.seconds, s.fps, s.msPerFrame, engine.context().info().name.c_str(),
        static_cast<long long>(s.droppedBeforeStylize), static_cast<long long>(s.droppedBeforeRecord));
    if (!config.record.empty() && s.recorded > 0)
        std::printf("Recorded %lld frames (%.1f s, %s) to %s.\n", static_cast<long long>(s.recorded),
                    result.recordedSeconds, result.recordCodec.c_str(), config.record.c_str());
    else if (!config.record.empty())
        std::printf("Nothing was recorded (stopped before the first stylized frame): no file was written to %s.\n",
                    config.record.c_str());
    if (result.sourceEnded && config.seconds > 0)
        std::printf("The source ended before %.0f s.\n", config.seconds);
    return interruptRequested() ? kExitInterrupted : 0;
}

}  // namespace stylize::cli
