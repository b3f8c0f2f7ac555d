// The GPU's frame conversions (YUV420P / NV12 / YUYV422 / RGBA8 in; RGBA8 / YUV420P /
// NV12 out; resampling; strength and colour preservation) against plain CPU formulas,
// through an identity network so only the conversions are under test.
#include <algorithm>
#include <cmath>

#include "frame_pixels.h"
#include "gpu_test_support.h"
#include "ops/luma_mean_op.h"
#include "stylizer.h"

namespace stylize::test {
namespace {

using render::PixelLayout;

std::string layoutName(const ::testing::TestParamInfo<PixelLayout>& info)
{
    switch (info.param) {
    case PixelLayout::Rgba8: return "rgba8";
    case PixelLayout::Yuv420p: return "yuv420p";
    case PixelLayout::Nv12: return "nv12";
    case PixelLayout::Yuyv422: return "yuyv422";
    }
    return "unknown";
}

model::Model identityModel()
{
    model::Model m;
    m.name = "identity";
    m.styles.push_back({"identity"});
    m.nodes.push_back({"copy", model::Affine{1.f, 0.f}, {0}, 1});
    m.output = 1;
    return m;
}

// BT.709 limited range, the decoders' usual output.
void rgbToYuv709(double r, double g, double b, double& y, double& u, double& v)
{
    const double kr = 0.2126, kb = 0.0722;
    const double yn = (kr * r + (1 - kr - kb) * g + kb * b) / 255.0;
    y = 16 + 219 * yn;
    u = 128 + 224 * ((b / 255.0 - yn) / (2 * (1 - kb)));
    v = 128 + 224 * ((r / 255.0 - yn) / (2 * (1 - kr)));
}

void yuv709ToRgb(double y, double u, double v, double rgb[3])
{
    const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
    const double yn = (y - 16) / 219, un = (u - 128) / 224, vn = (v - 128) / 224;
    const double r = yn + 2 * (1 - kr) * vn, b = yn + 2 * (1 - kb) * un, g = (yn - kr * r - kb * b) / kg;
    rgb[0] = std::clamp(r, 0.0, 1.0) * 255, rgb[1] = std::clamp(g, 0.0, 1.0) * 255, rgb[2] = std::clamp(b, 0.0, 1.0) * 255;
}

struct Planar {
    render::FrameView view;
    std::vector<std::uint8_t> y, u, v;
};

// A w x h frame with smooth colour ramps in the given YUV layout, rows padded like FFmpeg's.
Planar makeYuvFrame(PixelLayout layout, int w, int h)
{
    Planar f;
    const int cw = (w + 1) / 2, ch = (h + 1) / 2, pad = 32;
    const int yStride = (layout == PixelLayout::Yuyv422 ? cw * 4 : w) + pad;
    f.y.resize(std::size_t(yStride) * h);
    const int cStride = (layout == PixelLayout::Nv12 ? cw * 2 : cw) + pad;
    f.u.resize(std::size_t(cStride) * ch);
    f.v.resize(std::size_t(cStride) * ch);
    auto Y = [&](int x, int yy) { return std::uint8_t(16 + (x * 7 + yy * 3) % 220); };
    auto U = [&](int x, int) { return std::uint8_t(60 + (x * 5) % 130); };
    auto V = [&](int, int yy) { return std::uint8_t(70 + (yy * 9) % 120); };
    for (int yy = 0; yy < h; ++yy)
        for (int x = 0; x < w; ++x) {
            if (layout == PixelLayout::Yuyv422) {
                std::uint8_t* p = &f.y[std::size_t(yy) * yStride + (x / 2) * 4];
                p[(x & 1) * 2] = Y(x, yy);
                p[1] = U(x / 2, yy);
                p[3] = V(x / 2, yy);
            } else {
                f.y[std::size_t(yy) * yStride + x] = Y(x, yy);
            }
        }
    for (int cy = 0; cy < ch; ++cy)
        for (int cx = 0; cx < cw; ++cx) {
            if (layout == PixelLayout::Nv12) {
                f.u[std::size_t(cy) * cStride + cx * 2] = U(cx, cy);
                f.u[std::size_t(cy) * cStride + cx * 2 + 1] = V(cx, cy);
            } else {
                f.u[std::size_t(cy) * cStride + cx] = U(cx, cy);
                f.v[std::size_t(cy) * cStride + cx] = V(cx, cy);
            }
        }
    f.view.layout = layout;
    f.view.width = w;
    f.view.height = h;
    f.view.color = {render::ColorMatrix::Bt709, render::ColorRange::Limited};
    f.view.planes[0] = f.y.data();
    f.view.strides[0] = yStride;
    if (layout != PixelLayout::Yuyv422) {
        f.view.planes[1] = f.u.data();
        f.view.strides[1] = cStride;
    }
    if (layout == PixelLayout::Yuv420p) {
        f.view.planes[2] = f.v.data();
        f.view.strides[2] = cStride;
    }
    return f;
}

// Y, U, V of pixel (x, y) of a frame made by makeYuvFrame.
void sampleYuv(const Planar& f, int x, int y, double& Y, double& U, double& V)
{
    const auto& g = f.view;
    if (g.layout == PixelLayout::Yuyv422) {
        const std::uint8_t* p = &f.y[std::size_t(y) * g.strides[0] + (x / 2) * 4];
        Y = p[(x & 1) * 2], U = p[1], V = p[3];
        return;
    }
    Y = f.y[std::size_t(y) * g.strides[0] + x];
    if (g.layout == PixelLayout::Nv12) {
        U = f.u[std::size_t(y / 2) * g.strides[1] + (x / 2) * 2];
        V = f.u[std::size_t(y / 2) * g.strides[1] + (x / 2) * 2 + 1];
    } else {
        U = f.u[std::size_t(y / 2) * g.strides[1] + x / 2];
        V = f.v[std::size_t(y / 2) * g.strides[2] + x / 2];
    }
}

class YuvInput : public ::testing::TestWithParam<PixelLayout> {};

TEST_P(YuvInput, ConvertsToRgbLikeTheFormula)
{
    STYLIZE_REQUIRE_VULKAN();
    for (auto [w, h] : {std::pair{64, 48}, {37, 23}}) {
        Planar f = makeYuvFrame(GetParam(), w, h);
        render::StylizerOptions options;
        options.precision = render::Precision::Fp32;
        render::Stylizer stylizer(*vulkanContext(), identityModel(), options);
        render::Image out;
        out.width = w, out.height = h;
        out.rgba.resize(std::size_t(w) * h * 4);
        stylizer.run(f.view, {}, render::frameView(out));
        int worst = 0;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                double Y, U, V, rgb[3];
                sampleYuv(f, x, y, Y, U, V);
                yuv709ToRgb(Y, U, V, rgb);
                for (int c = 0; c < 3; ++c)
                    worst = std::max(worst, int(std::abs(out.rgba[(std::size_t(y) * w + x) * 4 + c] - std::lround(rgb[c]))));
            }
        EXPECT_LE(worst, 1) << "layout " << layoutName({GetParam(), 0}) << " " << w << "x" << h << ": worst channel error " << worst;
    }
}

INSTANTIATE_TEST_SUITE_P(Layouts, YuvInput,
                         ::testing::Values(PixelLayout::Yuv420p, PixelLayout::Nv12, PixelLayout::Yuyv422),
                         layoutName);

class YuvOutput : public ::testing::TestWithParam<PixelLayout> {};

TEST_P(YuvOutput, ProducesTheEncodersLayout)
{
    STYLIZE_REQUIRE_VULKAN();
    const PixelLayout layout = GetParam();
    for (auto [w, h] : {std::pair{64, 48}, {37, 23}}) {
        render::Image in;
        in.width = w, in.height = h;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                in.rgba.insert(in.rgba.end(), {std::uint8_t(x * 255 / w), std::uint8_t(y * 255 / h),
                                               std::uint8_t((x + y) % 256), 255});
        const int cw = (w + 1) / 2, ch = (h + 1) / 2, pad = 16;
        std::vector<std::uint8_t> yPlane(std::size_t(w + pad) * h), uPlane(std::size_t(cw * 2 + pad) * ch),
            vPlane(std::size_t(cw + pad) * ch);
        render::MutableFrameView out;
        out.layout = layout;
        out.width = w, out.height = h;
        out.color = {render::ColorMatrix::Bt709, render::ColorRange::Limited};
        out.planes[0] = yPlane.data(), out.strides[0] = w + pad;
        out.planes[1] = uPlane.data(), out.strides[1] = (layout == PixelLayout::Nv12 ? cw * 2 : cw) + pad;
        out.planes[2] = vPlane.data(), out.strides[2] = cw + pad;
        render::StylizerOptions options;
        options.precision = render::Precision::Fp32;
        render::Stylizer stylizer(*vulkanContext(), identityModel(), options);
        stylizer.run(render::frameView(in.view()), {}, out);
        int worstY = 0, worstC = 0;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const std::uint8_t* p = &in.rgba[(std::size_t(y) * w + x) * 4];
                double Y, U, V;
                rgbToYuv709(p[0], p[1], p[2], Y, U, V);
                worstY = std::max(worstY, int(std::abs(yPlane[std::size_t(y) * out.strides[0] + x] - std::lround(Y))));
            }
        for (int cy = 0; cy < ch; ++cy)
            for (int cx = 0; cx < cw; ++cx) {
                double su = 0, sv = 0;
                for (int dy = 0; dy < 2; ++dy)
                    for (int dx = 0; dx < 2; ++dx) {
                        const int x = std::min(cx * 2 + dx, w - 1), y = std::min(cy * 2 + dy, h - 1);
                        const std::uint8_t* p = &in.rgba[(std::size_t(y) * w + x) * 4];
                        double Y, U, V;
                        rgbToYuv709(p[0], p[1], p[2], Y, U, V);
                        su += U / 4, sv += V / 4;
                    }
                const int gotU = layout == PixelLayout::Nv12 ? uPlane[std::size_t(cy) * out.strides[1] + cx * 2]
                                                             : uPlane[std::size_t(cy) * out.strides[1] + cx];
                const int gotV = layout == PixelLayout::Nv12 ? uPlane[std::size_t(cy) * out.strides[1] + cx * 2 + 1]
                                                             : vPlane[std::size_t(cy) * out.strides[2] + cx];
                worstC = std::max({worstC, int(std::abs(gotU - std::lround(su))), int(std::abs(gotV - std::lround(sv)))});
            }
        EXPECT_LE(worstY, 1) << w << "x" << h;
        EXPECT_LE(worstC, 1) << w << "x" << h;
    }
}

INSTANTIATE_TEST_SUITE_P(Layouts, YuvOutput, ::testing::Values(PixelLayout::Yuv420p, PixelLayout::Nv12), layoutName);

TEST(OutputLook, StrengthZeroGivesTheOriginalAndColourPreservationKeepsChroma)
{
    STYLIZE_REQUIRE_VULKAN();
    // A "style" that inverts the image: y = 255 - x.
    model::Model m = identityModel();
    m.nodes[0].op = model::Affine{-1.f, 255.f};
    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    render::Stylizer stylizer(*vulkanContext(), m, options);
    render::Image in;
    in.width = 16, in.height = 8;
    for (int i = 0; i < 16 * 8; ++i)
        in.rgba.insert(in.rgba.end(), {120, 80, std::uint8_t(100 + i % 2), 255});
    render::Image out;
    stylizer.setLook({0.f, false});
    stylizer.run(in.view(), {}, {}, out);
    EXPECT_EQ(out.rgba, in.rgba);
    stylizer.setLook({1.f, false});
    stylizer.run(in.view(), {}, {}, out);
    EXPECT_EQ(out.rgba[0], 135);
    EXPECT_EQ(out.rgba[1], 175);
    stylizer.setLook({1.f, true});
    stylizer.run(in.view(), {}, {}, out);
    // Chroma (R - G, B - G) kept from the original, luma from the inverted image (a
    // pixel chosen so that no channel clips).
    EXPECT_NEAR(int(out.rgba[0]) - int(out.rgba[1]), 40, 1);
    EXPECT_NEAR(int(out.rgba[2]) - int(out.rgba[1]), 20, 1);
    const double lumaIn = 0.299 * 120 + 0.587 * 80 + 0.114 * 100;
    const double lumaOut = 0.299 * out.rgba[0] + 0.587 * out.rgba[1] + 0.114 * out.rgba[2];
    EXPECT_NEAR(lumaOut, 255 - lumaIn, 1.5);
}

double meanLuma(const render::Image& im)
{
    return render::meanLuma(im.view());
}

TEST(OutputLook, SceneLightGivesTheStylizedFrameTheScenesMeanLuminance)
{
    STYLIZE_REQUIRE_VULKAN();
    // A "style" that paints every scene bright: y = 0.5 x + 120, in two steps so that the
    // second reuses the input's buffer (the scene's light is measured before the network).
    model::Model m;
    m.name = "bright";
    m.styles.push_back({"bright"});
    m.nodes.push_back({"half", model::Affine{0.5f, 0.f}, {0}, 1});
    m.nodes.push_back({"lift", model::Affine{1.f, 120.f}, {1}, 2});
    m.output = 2;
    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    render::Stylizer stylizer(*vulkanContext(), m, options);
    render::Image night;  // a dark scene: luma about 25
    night.width = 48, night.height = 28;
    for (int y = 0; y < night.height; ++y)
        for (int x = 0; x < night.width; ++x)
            night.rgba.insert(night.rgba.end(),
                              {std::uint8_t(10 + x), std::uint8_t(5 + y), std::uint8_t(40 + x / 2), 255});
    render::Image painted, lit, half;
    stylizer.run(night.view(), {}, {}, painted);
    stylizer.setLook({1.f, false, 1.f});
    stylizer.run(night.view(), {}, {}, lit);
    stylizer.setLook({1.f, false, 0.5f});
    stylizer.run(night.view(), {}, {}, half);
    const double scene = meanLuma(night), paint = meanLuma(painted);
    ASSERT_GT(paint, scene * 4);  // the network alone lights the night up
    EXPECT_NEAR(meanLuma(lit), scene, 0.5);
    // Every pixel is the painted one times the gain, (scene / paint)^light.
    const double gains[] = {scene / paint, std::sqrt(scene / paint)};
    const render::Image* results[] = {&lit, &half};
    for (int k = 0; k < 2; ++k) {
        int worst = 0;
        for (std::size_t i = 0; i < painted.rgba.size(); ++i)
            if (i % 4 != 3)
                worst = std::max(worst, int(std::abs(results[k]->rgba[i] - std::lround(painted.rgba[i] * gains[k]))));
        EXPECT_LE(worst, 1) << "scene light " << (k == 0 ? 1.0 : 0.5);
    }
    // Processing sizes other than the frame's (new plans): the means cover the image. At
    // 160x100 each mean is four slices' sums (LumaMeanOp::kSlicePixels), the last one short.
    static_assert(160 * 100 > 3 * render::LumaMeanOp::kSlicePixels && 160 * 100 < 4 * render::LumaMeanOp::kSlicePixels);
    stylizer.setLook({1.f, false, 1.f});
    for (render::Size size : {render::Size{36, 28}, render::Size{24, 12}, render::Size{160, 100}}) {
        stylizer.run(night.view(), size, {}, lit);
        EXPECT_NEAR(meanLuma(lit), scene, 1.0) << size.width << "x" << size.height;
    }
    // Back to the painting's light: the frame as the network made it.
    stylizer.setLook({1.f, false, 0.f});
    render::Image again;
    stylizer.run(night.view(), {}, {}, again);
    EXPECT_EQ(again.rgba, painted.rgba);
}

TEST(OutputSize, ResamplesToTheRequestedSize)
{
    STYLIZE_REQUIRE_VULKAN();
    render::Stylizer stylizer(*vulkanContext(), identityModel());
    render::Image in;
    in.width = 40, in.height = 30;
    in.rgba.assign(std::size_t(40) * 30 * 4, 128);
    render::Image out;
    stylizer.run(in.view(), {20, 16}, {80, 60}, out);
    ASSERT_EQ(out.width, 80);
    ASSERT_EQ(out.height, 60);
    for (std::size_t i = 0; i < out.rgba.size(); i += 4)
        ASSERT_NEAR(out.rgba[i], 128, 1);
}

// The mean of `in` (one channel of RGBA8) over output pixel (x, y)'s footprint when
// `in` is reduced to outW x outH, each source pixel weighted by the share of it covered.
double areaMean(const render::Image& in, int outW, int outH, int x, int y, int channel)
{
    const double sx = double(in.width) / outW, sy = double(in.height) / outH;
    double sum = 0, weights = 0;
    for (int iy = int(std::floor(y * sy)); iy < std::min(in.height, int(std::ceil((y + 1) * sy))); ++iy)
        for (int ix = int(std::floor(x * sx)); ix < std::min(in.width, int(std::ceil((x + 1) * sx))); ++ix) {
            const double w = (std::min(ix + 1.0, (x + 1) * sx) - std::max(double(ix), x * sx)) *
                             (std::min(iy + 1.0, (y + 1) * sy) - std::max(double(iy), y * sy));
            sum += w * in.rgba[(std::size_t(iy) * in.width + ix) * 4 + channel];
            weights += w;
        }
    return sum / weights;
}

// A reduction averages each output pixel's footprint (FFmpeg's "area"), on the way into
// the network and for the original frame mixed in by strength; a bilinear sample would
// read a few pixels of it, so fine detail aliases and shimmers as the camera moves.
TEST(Resampling, AReductionAveragesTheFootprintOnTheWayInAndOut)
{
    STYLIZE_REQUIRE_VULKAN();
    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    render::Stylizer stylizer(*vulkanContext(), identityModel(), options);
    // A one-pixel checkerboard reduced 3x: each cell is 4 or 5 white pixels of 9 (113.3 or
    // 141.7); a bilinear sample at these centres reads one whole black or white pixel.
    render::Image checker;
    checker.width = 60, checker.height = 30;
    for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 60; ++x) {
            const std::uint8_t v = (x + y) % 2 ? 255 : 0;
            checker.rgba.insert(checker.rgba.end(), {v, v, v, 255});
        }
    render::Image out;
    stylizer.run(checker.view(), {20, 10}, {20, 10}, out);
    for (int y = 0; y < 10; ++y)
        for (int x = 0; x < 20; ++x)
            EXPECT_NEAR(out.rgba[(std::size_t(y) * 20 + x) * 4], areaMean(checker, 20, 10, x, y, 0), 1.0)
                << x << "," << y;
    // Fractional ratios (60x36 -> 24x16: 2.5 and 2.25 source pixels a cell) against the
    // formula, through the network (strength 1) and as the original (strength 0).
    render::Image busy;
    busy.width = 60, busy.height = 36;
    for (int y = 0; y < 36; ++y)
        for (int x = 0; x < 60; ++x)
            busy.rgba.insert(busy.rgba.end(), {std::uint8_t((x * 37 + y * 91) % 256), std::uint8_t((x * x + 3 * y) % 256),
                                               std::uint8_t(x * 4), 255});
    for (float strength : {1.f, 0.f}) {
        stylizer.setLook({strength, false});
        stylizer.run(busy.view(), {24, 16}, {24, 16}, out);
        int worst = 0;
        for (int y = 0; y < 16; ++y)
            for (int x = 0; x < 24; ++x)
                for (int c = 0; c < 3; ++c)
                    worst = std::max(worst, int(std::abs(out.rgba[(std::size_t(y) * 24 + x) * 4 + c] -
                                                         std::lround(areaMean(busy, 24, 16, x, y, c)))));
        EXPECT_LE(worst, 1) << "strength " << strength;
    }
}

}  // namespace
}  // namespace stylize::test
