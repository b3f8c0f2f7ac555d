// Exports a video file stylized: decode → stylize → encode on three threads with
// blocking queues (no frame dropped), the source's audio carried along, progress and
// cancellation for the CLI and the desktop app. No FFmpeg or Vulkan in this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "image.h"
#include "pipeline/stylize_function.h"

namespace stylize::pipeline {

struct ExportConfig {
    std::string input, output;
    std::string codec;   // "h264" (default), "hevc", "vp9", "av1"; empty: H.264, or VP9 for .webm
    int crf = -1;        // quality, lower is better; -1: the codec's default
    std::string preset;  // x264/x265 preset name, VP9 cpu-used 0-8, AV1 SVT preset 0-13
    render::Size size;   // output size; empty: the input's (upright), times `scale` if set
    double scale = 0;    // > 0: the input's size times this
    int queueDepth = 3;  // frames between threads (2-4)
};

struct ExportProgress {
    std::int64_t framesDone = 0;
    std::int64_t framesTotal = 0;  // from the container, or estimated; 0: unknown
    double fps = 0;                // frames written per second so far
    double etaSeconds = -1;        // negative: unknown
    double elapsedSeconds = 0;
};

enum class ExportOutcome {
    Completed,            // every frame of the input is in the output
    CompletedWithDamage,  // the input was damaged/truncated; the output has what could be decoded
    Cancelled,            // cancel() was called; the output is finished (playable) up to that point
};

struct ExportResult {
    ExportOutcome outcome = ExportOutcome::Completed;
    std::int64_t framesRead = 0, framesWritten = 0;
    double seconds = 0;        // wall-clock time of the run
    double outputSeconds = 0;  // the video's length in the output
    render::Size inputSize, outputSize;
    std::string videoCodec;            // "libx264"
    std::string audio;                 // "copied (aac)", "re-encoded mp3 → aac", or empty
    std::vector<std::string> notices;  // streams left out, sizes rounded...
    std::string damage;                // with CompletedWithDamage: what was wrong, as a sentence
};

class ExportJob {
public:
    ExportJob(ExportConfig config, StylizeFunction stylize);
    // With frames in flight: `stylize.depth` frames submitted before the oldest is
    // collected and handed to the encoder.
    ExportJob(ExportConfig config, PipelinedStylize stylize);
    ~ExportJob();
    ExportJob(const ExportJob&) = delete;
    ExportJob& operator=(const ExportJob&) = delete;

    // Runs the export on the calling thread's behalf (it starts and joins the stage
    // threads) and calls onProgress from the calling thread a few times a second.
    // Throws std::runtime_error with a sentence naming the file on failure; a failed
    // export's unfinished output is removed, and the message says so.
    ExportResult run(const std::function<void(const ExportProgress&)>& onProgress = {});

    // Stops the export soon (any thread, any moment): the output keeps the frames
    // written so far and is finished so it plays.
    void cancel();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::pipeline
