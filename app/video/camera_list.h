// The cameras this machine has, with the sizes and frame rates each offers (V4L2 on
// Linux, FFmpeg's device list elsewhere).
#pragma once

#include <string>
#include <vector>

#include "image.h"

namespace stylize::video {

struct CameraMode {
    std::string pixelFormat;  // "YUYV", "MJPG", "NV12"...
    render::Size size;
    std::vector<double> fps;  // empty when the driver does not say
};

struct CameraInfo {
    std::string name;    // "HD Pro Webcam C920"
    std::string device;  // "/dev/video0"
    std::vector<CameraMode> modes;
};

std::vector<CameraInfo> listCameras();

// "640x480 @ 30, 15 fps (YUYV)".
std::string describe(const CameraMode& mode);

}  // namespace stylize::video
