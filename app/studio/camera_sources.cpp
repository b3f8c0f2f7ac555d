// Source bar entries to pipeline sources.
#include "studio/camera_sources.h"

#include "video/camera_list.h"

namespace stylize::studio {

video::SourceSpec toVideoSource(const SourceSpec& s)
{
    video::SourceSpec spec;
    switch (s.kind) {
    case SourceKind::File:
    case SourceKind::SampleClip: spec = video::fileSource(s.location.toStdString()); break;
    case SourceKind::TestPattern:
        spec = video::resolveSource(s.location.isEmpty() ? "testsrc" : "lavfi:" + s.location.toStdString() + ",realtime");
        break;
    case SourceKind::Camera: spec = video::resolveSource(s.location.toStdString()); break;
    }
    if (!s.label.isEmpty() && s.kind != SourceKind::Camera)
        spec.label = s.label.toStdString();
    return spec;
}

QList<SourceSpec> listCameras()
{
    QList<SourceSpec> list;
    try {
        for (const video::CameraInfo& c : video::listCameras())
            list.append({SourceKind::Camera, QString::fromStdString(c.device), QString::fromStdString(c.name)});
    } catch (const std::exception&) {
        // No camera subsystem is the same as no camera: the sample clip plays instead.
    }
    return list;
}

}  // namespace stylize::studio
