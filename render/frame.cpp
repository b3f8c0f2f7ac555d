// Plane geometry of the supported pixel layouts.
#include "frame.h"

namespace stylize::render {

int FrameGeometry::planeCount() const
{
    switch (layout) {
    case PixelLayout::Yuv420p: return 3;
    case PixelLayout::Nv12: return 2;
    default: return 1;
    }
}

int FrameGeometry::planeRows(int plane) const
{
    const bool subsampled = plane > 0 && (layout == PixelLayout::Yuv420p || layout == PixelLayout::Nv12);
    return subsampled ? (height + 1) / 2 : height;
}

int FrameGeometry::planeRowBytes(int plane) const
{
    const int halfWidth = (width + 1) / 2;
    switch (layout) {
    case PixelLayout::Rgba8: return width * 4;
    case PixelLayout::Yuv420p: return plane == 0 ? width : halfWidth;
    case PixelLayout::Nv12: return plane == 0 ? width : halfWidth * 2;
    case PixelLayout::Yuyv422: return halfWidth * 4;
    }
    return 0;
}

FrameView frameView(const ImageView& image)
{
    FrameView v;
    v.layout = PixelLayout::Rgba8;
    v.width = image.width;
    v.height = image.height;
    v.strides[0] = image.width * 4;
    v.planes[0] = image.rgba;
    return v;
}

MutableFrameView frameView(Image& image)
{
    MutableFrameView v;
    v.layout = PixelLayout::Rgba8;
    v.width = image.width;
    v.height = image.height;
    v.strides[0] = image.width * 4;
    v.planes[0] = image.rgba.data();
    return v;
}

}  // namespace stylize::render
