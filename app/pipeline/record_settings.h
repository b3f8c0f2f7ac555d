// What a live recording is asked for and what it reports (plain types: no FFmpeg).
#pragma once

#include <cstdint>
#include <string>

#include "image.h"

namespace stylize::pipeline {

struct RecordSettings {
    std::string path;
    std::string codec;   // "h264", "vp9"...; empty: the container's default
    int crf = -1;
    std::string preset;
    render::Size size;       // empty: the first frame's size
    double frameRate = 30;   // rate-control hint; the frames' timestamps decide the timing
};

struct RecordingStats {
    std::int64_t recorded = 0;  // frames in the file
    std::int64_t dropped = 0;   // the encoder was busy: oldest waiting frame dropped
    std::int64_t bytes = 0;
    double seconds = 0;         // length of what was recorded
    std::string codec;          // the encoder ("libx264") once it is open
};

}  // namespace stylize::pipeline
