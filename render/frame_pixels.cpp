// frameToImage: RGBA8 and the three YUV layouts to RGBA8, as shaders/frame.glsl does.
#include "frame_pixels.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace stylize::render {
namespace {

struct Yuv {
    double kr, kb, yOffset, yScale, cScale;
    explicit Yuv(const ColorSpace& c)
        : kr(c.matrix == ColorMatrix::Bt601 ? 0.299 : 0.2126),
          kb(c.matrix == ColorMatrix::Bt601 ? 0.114 : 0.0722),
          yOffset(c.range == ColorRange::Limited ? 16.0 : 0.0),
          yScale(c.range == ColorRange::Limited ? 219.0 : 255.0),
          cScale(c.range == ColorRange::Limited ? 224.0 : 255.0)
    {
    }
    void toRgb(int y, int u, int v, std::uint8_t* out) const
    {
        const double yn = (y - yOffset) / yScale, un = (u - 128.0) / cScale, vn = (v - 128.0) / cScale;
        const double r = yn + 2.0 * (1.0 - kr) * vn;
        const double b = yn + 2.0 * (1.0 - kb) * un;
        const double g = (yn - kr * r - kb * b) / (1.0 - kr - kb);
        const double rgb[3] = {r, g, b};
        for (int c = 0; c < 3; ++c)
            out[c] = std::uint8_t(std::lround(std::clamp(rgb[c], 0.0, 1.0) * 255.0));
        out[3] = 255;
    }
};

}  // namespace

Image frameToImage(const FrameView& frame, int maxSide)
{
    if (frame.width < 1 || frame.height < 1 || !frame.planes[0])
        throw std::invalid_argument("frameToImage: an empty frame");
    const int longSide = std::max(frame.width, frame.height);
    const int step = maxSide > 0 && longSide > maxSide ? (longSide + maxSide - 1) / maxSide : 1;
    Image image;
    image.width = (frame.width + step - 1) / step;
    image.height = (frame.height + step - 1) / step;
    image.rgba.resize(std::size_t(image.width) * image.height * 4);
    const Yuv yuv(frame.color);
    for (int oy = 0; oy < image.height; ++oy) {
        const int y = oy * step;
        const std::uint8_t* row0 = frame.planes[0] + std::size_t(y) * frame.strides[0];
        std::uint8_t* out = image.rgba.data() + std::size_t(oy) * image.width * 4;
        for (int ox = 0; ox < image.width; ++ox, out += 4) {
            const int x = ox * step;
            switch (frame.layout) {
                case PixelLayout::Rgba8:
                    std::copy(row0 + x * 4, row0 + x * 4 + 3, out);
                    out[3] = 255;
                    break;
                case PixelLayout::Yuyv422: {
                    const std::uint8_t* pair = row0 + (x / 2) * 4;
                    yuv.toRgb(pair[(x & 1) * 2], pair[1], pair[3], out);
                    break;
                }
                case PixelLayout::Yuv420p: {
                    const std::size_t u = std::size_t(y / 2) * frame.strides[1] + x / 2;
                    const std::size_t v = std::size_t(y / 2) * frame.strides[2] + x / 2;
                    yuv.toRgb(row0[x], frame.planes[1][u], frame.planes[2][v], out);
                    break;
                }
                case PixelLayout::Nv12: {
                    const std::uint8_t* uv = frame.planes[1] + std::size_t(y / 2) * frame.strides[1] + (x / 2) * 2;
                    yuv.toRgb(row0[x], uv[0], uv[1], out);
                    break;
                }
            }
        }
    }
    return image;
}

double meanLuma(ImageView image)
{
    const std::size_t pixels = std::size_t(image.width) * std::size_t(image.height);
    double sum = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const std::uint8_t* p = image.rgba + i * 4;
        sum += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    }
    return pixels ? sum / double(pixels) : 0.0;
}

}  // namespace stylize::render
