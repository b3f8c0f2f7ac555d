// The app's sources as the live pipeline opens them: cameras, the test pattern, the
// sample clip and files (videos and still images, both through FFmpeg).
#pragma once

#include <QList>

#include "studio/studio_types.h"
#include "video/source_spec.h"

namespace stylize::studio {

// Cameras FFmpeg can open here, as sources ("first camera" comes first).
QList<SourceSpec> listCameras();
// How the pipeline opens a source of the source bar.
video::SourceSpec toVideoSource(const SourceSpec& source);

}  // namespace stylize::studio
