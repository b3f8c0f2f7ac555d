// Plain value types exchanged between the desktop UI and the studio controller (Qt Core
// and QImage only: no Vulkan, no FFmpeg), registered for queued signals across threads.
#pragma once

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QSize>
#include <QString>

namespace stylize::studio {

// One style the user can pick: a slot of a model file.
struct StyleCard {
    QString id;         // "<model path>#<slot>", or "picture:<picture path>"; stable across runs
    QString modelPath;
    bool picture = false;  // one of the user's pictures as a style (it can be removed)
    int slot = 0;
    QString name;       // short name ("great-wave")
    QString title;      // painting
    QString artist;
    QString year;
    QString license;
    QString source;     // where the painting image came from
    QImage preview;     // the style applied to the sample image (may be null until rendered)
    QImage painting;    // the pack's thumbnail of the painting (may be null)
};

struct StyleWeight {
    QString id;
    double weight = 1.0;
};

struct BlendSettings {
    QList<StyleWeight> styles;     // normalized by the controller
    double strength = 1.0;         // 0: the original frame, 1: full style
    bool preserveColours = false;  // stylized luminance, original chroma
    double sceneLight = 0.0;       // 0: the painting's light, 1: the scene's mean luminance (render::OutputLook)
    double steady = 0.0;           // 0: every frame painted anew, 1: still parts keep most of their strokes (render::OutputLook)
    int brushPercent = 0;          // processing size as % of the frame; 0 = adapt to keep the view live
};

enum class SourceKind { SampleClip, TestPattern, Camera, File };

struct SourceSpec {
    SourceKind kind = SourceKind::SampleClip;
    QString location;  // camera device, file path or lavfi graph
    QString label;     // what the source bar shows
    bool operator==(const SourceSpec& o) const { return kind == o.kind && location == o.location; }
};

struct LiveStats {
    double fps = 0;
    double msPerFrame = 0;    // stylizer time of one frame
    qint64 dropped = 0;       // frames the live path dropped to stay live
    QString device;           // Vulkan device name
    QSize frameSize;          // source frame
    QSize processingSize;     // network input ("brush size")
};

struct RecordingStatus {
    bool active = false;
    QString path;
    qint64 elapsedMs = 0;
    qint64 bytes = 0;
    qint64 dropped = 0;
    qint64 frames = 0;  // written to the file
};

struct ExportRequest {
    QString input, output;
    QString codec = "h264";  // h264, hevc, vp9, av1
    int crf = 20;
    QSize size;              // empty: the input's size
};

struct ExportProgress {
    qint64 framesDone = 0, framesTotal = 0;  // total 0 when unknown
    double fps = 0;
    double etaSeconds = -1;  // negative when unknown
};

}  // namespace stylize::studio

Q_DECLARE_METATYPE(stylize::studio::StyleCard)
Q_DECLARE_METATYPE(stylize::studio::BlendSettings)
Q_DECLARE_METATYPE(stylize::studio::SourceSpec)
Q_DECLARE_METATYPE(stylize::studio::LiveStats)
Q_DECLARE_METATYPE(stylize::studio::RecordingStatus)
Q_DECLARE_METATYPE(stylize::studio::ExportRequest)
Q_DECLARE_METATYPE(stylize::studio::ExportProgress)
