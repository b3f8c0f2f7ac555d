// Source names → how FFmpeg opens them.
#include "video/source_spec.h"

#include <filesystem>

#include "video/av_error.h"
#include "video/camera_list.h"

namespace stylize::video {

SourceSpec fileSource(const std::string& path)
{
    SourceSpec spec;
    spec.kind = SourceKind::File;
    spec.location = path;
    spec.label = path;
    return spec;
}

SourceSpec resolveSource(const std::string& text)
{
    SourceSpec spec;
    spec.location = text;
    spec.label = text;
    if (text.empty())
        throw VideoError("No source given; name a camera, a file, 'testsrc' or a lavfi graph.");
    if (text == "testsrc") {
        spec.kind = SourceKind::TestPattern;
        spec.location = kTestPatternGraph;
        spec.label = "the test pattern";
        return spec;
    }
    if (text.rfind("lavfi:", 0) == 0) {
        spec.kind = SourceKind::Lavfi;
        spec.location = text.substr(6);
        spec.label = "lavfi graph '" + spec.location + "'";
        return spec;
    }
    if (text.rfind("/dev/video", 0) == 0) {
        spec.kind = SourceKind::Camera;
        spec.label = "camera " + text;
        return spec;
    }
    if (text.find("://") != std::string::npos) {
        spec.kind = SourceKind::Url;
        return spec;
    }
    std::error_code ec;
    if (std::filesystem::exists(text, ec)) {
        spec.kind = std::filesystem::is_character_file(text, ec) ? SourceKind::Camera : SourceKind::File;
        if (spec.kind == SourceKind::Camera)
            spec.label = "camera " + text;
        return spec;
    }
    for (const CameraInfo& camera : listCameras()) {
        if (camera.name == text) {
            spec.kind = SourceKind::Camera;
            spec.location = camera.device;
            spec.label = "camera '" + camera.name + "' (" + camera.device + ")";
            return spec;
        }
    }
    if (text.find('=') != std::string::npos) {
        spec.kind = SourceKind::Lavfi;
        spec.label = "lavfi graph '" + text + "'";
        return spec;
    }
    throw VideoError("No camera, file or lavfi graph is called '" + text +
                     "'; run 'stylize-cli devices' to list cameras, or use 'testsrc' for the test pattern.");
}

}  // namespace stylize::video
