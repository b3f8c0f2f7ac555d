// Camera discovery: V4L2 ioctls on Linux (names, formats, sizes, intervals), FFmpeg's
// avdevice list on other systems (names only).
#include "video/camera_list.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#ifdef __linux__
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>
#else
extern "C" {
#include <libavdevice/avdevice.h>
}
#endif

namespace stylize::video {
namespace {

#ifdef __linux__
// An open device node, closed on scope exit.
class DeviceFd {
public:
    explicit DeviceFd(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_NONBLOCK)) {}
    ~DeviceFd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    DeviceFd(const DeviceFd&) = delete;
    DeviceFd& operator=(const DeviceFd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

int xioctl(int fd, unsigned long request, void* arg)
{
    int r;
    do {
        r = ::ioctl(fd, request, arg);
    } while (r < 0 && errno == EINTR);
    return r;
}

std::string fourccText(std::uint32_t fourcc)
{
    std::string s;
    for (int i = 0; i < 4; ++i) {
        const char c = static_cast<char>((fourcc >> (8 * i)) & 0xff);
        if (c != ' ')
            s += c;
    }
    return s;
}

std::vector<double> frameRates(int fd, std::uint32_t format, std::uint32_t w, std::uint32_t h)
{
    std::vector<double> rates;
    v4l2_frmivalenum ival{};
    ival.pixel_format = format;
    ival.width = w;
    ival.height = h;
    for (ival.index = 0; xioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &ival) == 0; ++ival.index) {
        if (ival.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
            if (ival.discrete.numerator)
                rates.push_back(double(ival.discrete.denominator) / ival.discrete.numerator);
        } else {
            // Continuous or stepwise: the fastest and slowest ends describe it.
            if (ival.stepwise.min.numerator)
                rates.push_back(double(ival.stepwise.min.denominator) / ival.stepwise.min.numerator);
            if (ival.stepwise.max.numerator)
                rates.push_back(double(ival.stepwise.max.denominator) / ival.stepwise.max.numerator);
            break;
        }
    }
    std::sort(rates.rbegin(), rates.rend());
    return rates;
}

std::vector<CameraMode> cameraModes(int fd)
{
    std::vector<CameraMode> modes;
    v4l2_fmtdesc desc{};
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    for (desc.index = 0; xioctl(fd, VIDIOC_ENUM_FMT, &desc) == 0; ++desc.index) {
        v4l2_frmsizeenum size{};
        size.pixel_format = desc.pixelformat;
        for (size.index = 0; xioctl(fd, VIDIOC_ENUM_FRAMESIZES, &size) == 0; ++size.index) {
            if (size.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                modes.push_back({fourccText(desc.pixelformat),
                                 {int(size.discrete.width), int(size.discrete.height)},
                                 frameRates(fd, desc.pixelformat, size.discrete.width, size.discrete.height)});
            } else {
                // A range of sizes: list its largest, which is what users usually want.
                modes.push_back({fourccText(desc.pixelformat),
                                 {int(size.stepwise.max_width), int(size.stepwise.max_height)},
                                 frameRates(fd, desc.pixelformat, size.stepwise.max_width, size.stepwise.max_height)});
                break;
            }
        }
    }
    return modes;
}
#endif

}  // namespace

std::vector<CameraInfo> listCameras()
{
    std::vector<CameraInfo> cameras;
#ifdef __linux__
    std::error_code ec;
    std::vector<std::filesystem::path> nodes;
    for (const auto& entry : std::filesystem::directory_iterator("/dev", ec))
        if (entry.path().filename().string().rfind("video", 0) == 0)
            nodes.push_back(entry.path());
    std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) {
        return a.string().size() != b.string().size() ? a.string().size() < b.string().size() : a < b;
    });
    for (const auto& node : nodes) {
        DeviceFd fd(node.string());
        if (fd.get() < 0)
            continue;
        v4l2_capability cap{};
        if (xioctl(fd.get(), VIDIOC_QUERYCAP, &cap) < 0)
            continue;
        const std::uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
        // Many webcams expose a second node for metadata; only capture nodes are cameras.
        if (!(caps & V4L2_CAP_VIDEO_CAPTURE))
            continue;
        cameras.push_back({reinterpret_cast<const char*>(cap.card), node.string(), cameraModes(fd.get())});
    }
#else
    avdevice_register_all();
    for (const AVInputFormat* format = av_input_video_device_next(nullptr); format;
         format = av_input_video_device_next(format)) {
        AVDeviceInfoList* list = nullptr;
        if (avdevice_list_input_sources(format, nullptr, nullptr, &list) < 0)
            continue;
        for (int i = 0; i < list->nb_devices; ++i)
            cameras.push_back({list->devices[i]->device_description, list->devices[i]->device_name, {}});
        avdevice_free_list_devices(&list);
    }
#endif
    return cameras;
}

std::string describe(const CameraMode& mode)
{
    std::string text = std::to_string(mode.size.width) + "x" + std::to_string(mode.size.height);
    if (!mode.fps.empty()) {
        text += " @ ";
        for (std::size_t i = 0; i < mode.fps.size(); ++i) {
            char rate[32];
            std::snprintf(rate, sizeof rate, "%s%g", i ? ", " : "", mode.fps[i]);
            text += rate;
        }
        text += " fps";
    }
    return text + " (" + mode.pixelFormat + ")";
}

}  // namespace stylize::video
