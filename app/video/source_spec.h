// What a user may name as a source (a file, a camera, the test pattern, a lavfi graph
// or a URL) resolved to how FFmpeg opens it.
#pragma once

#include <string>

#include "image.h"

namespace stylize::video {

enum class SourceKind { File, Camera, TestPattern, Lavfi, Url };

struct SourceSpec {
    SourceKind kind = SourceKind::File;
    std::string location;      // path, device node, lavfi graph or URL as FFmpeg takes it
    std::string label;         // what messages call it ("camera 'HD Webcam' (/dev/video0)")
    render::Size captureSize;  // cameras: the size to ask for (empty: the driver's)
    double captureFps = 0;     // cameras: the rate to ask for (0: the driver's)

    bool live() const { return kind != SourceKind::File; }
};

// The lavfi graph `testsrc` stands for: a paced 640x480 30 fps pattern like a webcam.
inline constexpr const char* kTestPatternGraph = "testsrc2=size=640x480:rate=30,realtime";

// "testsrc" | "lavfi:GRAPH" | a camera name or device path | a URL | a file | a graph
// containing '=' (e.g. "testsrc2=size=320x240:rate=30"). Throws VideoError naming the
// source and what to do when it matches nothing.
SourceSpec resolveSource(const std::string& text);

// A file to read frames from as fast as they decode.
SourceSpec fileSource(const std::string& path);

}  // namespace stylize::video
