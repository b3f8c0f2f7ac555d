// Video frames as the engine takes and returns them: planar or packed pixel layouts in
// caller-owned memory (for example an AVFrame's buffers), without Qt or FFmpeg types.
#pragma once

#include <cstdint>
#include <memory>

#include "image.h"

namespace stylize::render {

// The layouts the GPU converts itself; decoders' other formats go through libswscale.
enum class PixelLayout {
    Rgba8,    // one plane, 4 bytes per pixel, R G B A
    Yuv420p,  // three planes: Y full size, U and V half width and half height
    Nv12,     // two planes: Y, then interleaved U V at half width and half height
    Yuyv422,  // one plane, Y0 U Y1 V per two pixels (webcams)
};

enum class ColorMatrix { Bt601, Bt709 };
enum class ColorRange { Limited, Full };  // limited: Y 16..235, UV 16..240 (video)

struct ColorSpace {
    ColorMatrix matrix = ColorMatrix::Bt709;
    ColorRange range = ColorRange::Limited;
    bool operator==(const ColorSpace&) const = default;
};

// Plane geometry shared by the read-only and writable views. Strides are in bytes and
// may be larger than a row (FFmpeg pads rows); odd widths/heights round chroma up.
struct FrameGeometry {
    PixelLayout layout = PixelLayout::Rgba8;
    int width = 0, height = 0;
    ColorSpace color;
    int strides[3] = {0, 0, 0};

    Size size() const { return {width, height}; }
    int planeCount() const;
    int planeRows(int plane) const;       // rows in that plane
    int planeRowBytes(int plane) const;   // bytes of pixel data in one row of that plane
    bool operator==(const FrameGeometry&) const = default;
};

struct FrameView : FrameGeometry {
    const std::uint8_t* planes[3] = {nullptr, nullptr, nullptr};
};

struct MutableFrameView : FrameGeometry {
    std::uint8_t* planes[3] = {nullptr, nullptr, nullptr};
};

// A frame in memory shared by reference count: valid while `memory` is held (by a QImage,
// a recorder's queue...), so a result can be handed on without copying it.
struct SharedFrame : FrameView {
    std::shared_ptr<const void> memory;
    bool deviceWritten = false;  // the device wrote these pixels in place (no copy made)
};

// A tightly packed RGBA image seen as a frame.
FrameView frameView(const ImageView& image);
MutableFrameView frameView(Image& image);

}  // namespace stylize::render
