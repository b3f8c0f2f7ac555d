// Records the live view: frames are handed over without waiting (a full queue drops
// the frame and counts it, so the view never waits on the encoder) and encoded on a
// thread of their own into Matroska, which stays playable if the app is killed.
#pragma once

#include <memory>

#include <QImage>
#include <QString>

#include "studio/studio_types.h"

namespace stylize::studio {

class LiveRecorder {
public:
    // Throws std::exception naming the file when it cannot be created.
    explicit LiveRecorder(const QString& path);
    ~LiveRecorder();

    // Any thread; never blocks on encoding. Frames after finish() are ignored.
    void push(const QImage& rgba, std::int64_t timestampUs);
    // Waits for queued frames, writes the trailer; throws on a write failure (disk full).
    void finish();
    RecordingStatus status() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::studio
