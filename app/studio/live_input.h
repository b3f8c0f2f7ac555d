// Where live frames come from: a camera, the test pattern, a video file (looped) or a
// still image, behind one interface the studio's live loop reads from.
#pragma once

#include <cstdint>
#include <memory>

#include <QImage>
#include <QString>

#include "frame.h"
#include "studio/studio_types.h"

namespace stylize::studio {

struct InputFrame {
    render::FrameView view;           // valid until the next read() on the same input
    std::int64_t timestampUs = 0;     // presentation time from the start of the source
    QImage original;                  // RGBA copy for the before/after view (may be null)
};

class LiveInput {
public:
    virtual ~LiveInput() = default;
    // The next frame; false at the end of a file (the caller may rewind()). Throws
    // std::runtime_error with a message naming the source when reading fails.
    virtual bool read(InputFrame& frame) = 0;
    // Back to the first frame (files); false if the source cannot rewind.
    virtual bool rewind() = 0;
    // True when frames arrive in real time (cameras, the test pattern): the caller does
    // not pace them, and frames it is too slow for are dropped at the source.
    virtual bool isRealTime() const = 0;
};

// A still image shown as an endless stream of the same frame.
std::unique_ptr<LiveInput> openStillImage(const QString& path);
// Cameras, the test pattern and video files, over FFmpeg (app/video).
std::unique_ptr<LiveInput> openVideoInput(const SourceSpec& source);
// Cameras FFmpeg can open here, as sources ("first camera" comes first).
QList<SourceSpec> listCameras();
bool isStillImage(const QString& path);

}  // namespace stylize::studio
