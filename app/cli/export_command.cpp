// stylize-cli export: a video file stylized, with its audio, a progress bar and a
// clean stop on Ctrl-C.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "cli/progress_printer.h"
#include "pipeline/export_job.h"
#include "video/av_error.h"
#include "video/media_output.h"

namespace stylize::cli {

// Exit statuses scripts can tell apart.
constexpr int kExitDamagedInput = 3;  // output written, but the input was damaged/truncated
constexpr int kExitInterrupted = 130;

int exportCommand(const std::vector<std::string>& args)
{
    Arguments a(args,
                {"model", "style", "style-image", "strength", "scene-light", "steady", "size", "scale", "processing", "codec",
                 "crf", "preset", "precision", "device", "queue", "in-flight"},
                {"preserve-colours", "verbose"});
    if (a.positionals().size() != 2)
        throw UsageError("export needs an input and an output file");
    if (a.value("size") && a.value("scale"))
        throw UsageError("give --size or --scale, not both");
    video::configureFfmpegLog(a.flag("verbose"));

    pipeline::ExportConfig config;
    config.input = a.positionals()[0];
    config.output = a.positionals()[1];
    config.size = a.size("size");
    config.scale = a.number("scale", 0, 0.01, 8);
    config.codec = a.value("codec", "");
    config.crf = a.integer("crf", -1, 0, 63);
    config.preset = a.value("preset", "");
    config.queueDepth = a.integer("queue", 3, 2, 4);
    const render::Size processing = a.size("processing");
    if (!config.codec.empty()) {
        try {
            video::parseVideoCodec(config.codec);  // a typo fails before the engine starts
        } catch (const video::VideoError& e) {
            throw UsageError(e.what());
        }
    }

    installInterruptFlag();
    EngineSetup engine(a);

    pipeline::PipelinedStylize stylize = engine.pipelined(a, processing);
    pipeline::ExportJob job(config, std::move(stylize));
    ProgressPrinter progress;
    if (interruptRequested())
        job.cancel();
    pipeline::ExportResult result;
    try {
        result = job.run([&](const pipeline::ExportProgress& p) {
            if (interruptRequested())
                job.cancel();
            progress.update(p);
        });
    } catch (...) {
        progress.finish();
        throw;
    }
    progress.finish();
    for (const std::string& notice : result.notices)
        std::fprintf(stderr, "note: %s\n", notice.c_str());

    const std::string& out = config.output;
    if (result.outcome == pipeline::ExportOutcome::Cancelled) {
        if (result.framesWritten > 0)
            std::printf(
                "Export stopped after %lld of %lld frames: %s holds the first %.1f s and plays; delete it if "
                "you do not want a partial video.\n",
                static_cast<long long>(result.framesWritten), static_cast<long long>(result.framesRead), out.c_str(),
                result.outputSeconds);
        else
            std::printf("Export stopped before the first frame: %s holds no video; delete it.\n", out.c_str());
        return kExitInterrupted;
    }
    std::printf("%s -> %s: %lld frames, %dx%d -> %dx%d, %s, audio %s, styled with %s on %s, in %s (%.1f fps)\n",
                config.input.c_str(), out.c_str(), static_cast<long long>(result.framesWritten), result.inputSize.width,
                result.inputSize.height, result.outputSize.width, result.outputSize.height, result.videoCodec.c_str(),
                result.audio.empty() ? "none" : result.audio.c_str(), engine.styleDescription().c_str(),
                engine.context().info().name.c_str(), formatDuration(result.seconds).c_str(),
                result.seconds > 0 ? result.framesWritten / result.seconds : 0);
    if (result.outcome == pipeline::ExportOutcome::CompletedWithDamage) {
        std::fprintf(stderr, "warning: %s %s holds the %lld frames that could be decoded.\n", result.damage.c_str(),
                     out.c_str(), static_cast<long long>(result.framesWritten));
        return kExitDamagedInput;
    }
    return 0;
}

}  // namespace stylize::cli
