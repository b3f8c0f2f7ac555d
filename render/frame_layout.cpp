// Plane offsets/strides matching shaders/frame.glsl, and the row copies.
#include "frame_layout.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace stylize::render {
namespace {

void checkPlanes(const FrameGeometry& g, const void* const* planes, const char* what)
{
    if (g.width <= 0 || g.height <= 0)
        throw std::invalid_argument(std::string(what) + " frame has no pixels (" + std::to_string(g.width) + "x" +
                                    std::to_string(g.height) + ")");
    for (int p = 0; p < g.planeCount(); ++p)
        if (!planes[p] || g.strides[p] < g.planeRowBytes(p))
            throw std::invalid_argument(std::string(what) + " frame plane " + std::to_string(p) +
                                        " is missing or its stride " + std::to_string(g.strides[p]) +
                                        " is shorter than a row (" + std::to_string(g.planeRowBytes(p)) + " bytes)");
}

}  // namespace

GpuFramePlanes gpuFramePlanes(PixelLayout layout, int width, int height)
{
    const std::uint64_t pw = (std::uint64_t(width) + 7) / 8 * 8;
    const std::uint64_t ph = (std::uint64_t(height) + 1) / 2 * 2;
    GpuFramePlanes g;
    switch (layout) {
    case PixelLayout::Rgba8: g.stride[0] = pw * 4; break;
    case PixelLayout::Yuyv422: g.stride[0] = pw * 2; break;
    case PixelLayout::Yuv420p: g.stride[0] = pw, g.stride[1] = g.stride[2] = pw / 2; break;
    case PixelLayout::Nv12: g.stride[0] = g.stride[1] = pw; break;
    }
    g.offset[1] = g.stride[0] * ph;
    g.offset[2] = g.offset[1] + g.stride[1] * (ph / 2);
    g.bytes = g.offset[2] + g.stride[2] * (ph / 2);
    return g;
}

void copyToGpuLayout(const FrameView& frame, std::uint8_t* gpu)
{
    checkPlanes(frame, reinterpret_cast<const void* const*>(frame.planes), "Input");
    const GpuFramePlanes g = gpuFramePlanes(frame.layout, frame.width, frame.height);
    for (int p = 0; p < frame.planeCount(); ++p) {
        const int rows = frame.planeRows(p);
        const std::size_t rowBytes = std::size_t(frame.planeRowBytes(p));
        if (std::uint64_t(frame.strides[p]) == g.stride[p]) {
            std::memcpy(gpu + g.offset[p], frame.planes[p], rowBytes + std::size_t(rows - 1) * g.stride[p]);
            continue;
        }
        for (int y = 0; y < rows; ++y)
            std::memcpy(gpu + g.offset[p] + std::uint64_t(y) * g.stride[p],
                        frame.planes[p] + std::size_t(y) * frame.strides[p], rowBytes);
    }
}

void copyFromGpuLayout(const std::uint8_t* gpu, const MutableFrameView& frame)
{
    checkPlanes(frame, reinterpret_cast<const void* const*>(frame.planes), "Output");
    const GpuFramePlanes g = gpuFramePlanes(frame.layout, frame.width, frame.height);
    for (int p = 0; p < frame.planeCount(); ++p) {
        const int rows = frame.planeRows(p);
        const std::size_t rowBytes = std::size_t(frame.planeRowBytes(p));
        for (int y = 0; y < rows; ++y)
            std::memcpy(frame.planes[p] + std::size_t(y) * frame.strides[p],
                        gpu + g.offset[p] + std::uint64_t(y) * g.stride[p], rowBytes);
    }
}

}  // namespace stylize::render
