// AVFrame ↔ engine views, colour tags, the upright converter and small parsers.
#include <gtest/gtest.h>
#include <vector>
#include <cstring>
#include <cmath>

#include "frame_pixels.h"
#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/frame_pool.h"
#include "video/media_output.h"
#include "video/source_spec.h"

extern "C" {
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace stylize::video {
namespace {

TEST(FrameMapping, GpuLayoutsOfDecoderFormats)
{
    EXPECT_EQ(gpuLayout(AV_PIX_FMT_YUV420P), render::PixelLayout::Yuv420p);
    EXPECT_EQ(gpuLayout(AV_PIX_FMT_YUVJ420P), render::PixelLayout::Yuv420p);
    EXPECT_EQ(gpuLayout(AV_PIX_FMT_NV12), render::PixelLayout::Nv12);
    EXPECT_EQ(gpuLayout(AV_PIX_FMT_YUYV422), render::PixelLayout::Yuyv422);
    EXPECT_EQ(gpuLayout(AV_PIX_FMT_RGBA), render::PixelLayout::Rgba8);
    EXPECT_FALSE(gpuLayout(AV_PIX_FMT_YUV444P).has_value());
    EXPECT_FALSE(gpuLayout(AV_PIX_FMT_RGB24).has_value());
}

TEST(FrameMapping, ColourTagsAndGuesses)
{
    FramePtr f = allocFrame();
    f->width = 640;
    f->height = 480;
    f->format = AV_PIX_FMT_YUV420P;
    EXPECT_EQ(colorSpaceOf(*f), (render::ColorSpace{render::ColorMatrix::Bt601, render::ColorRange::Limited}));
    f->height = 720;
    EXPECT_EQ(colorSpaceOf(*f).matrix, render::ColorMatrix::Bt709);
    f->colorspace = AVCOL_SPC_SMPTE170M;
    EXPECT_EQ(colorSpaceOf(*f).matrix, render::ColorMatrix::Bt601);
    f->color_range = AVCOL_RANGE_JPEG;
    EXPECT_EQ(colorSpaceOf(*f).range, render::ColorRange::Full);
    f->color_range = AVCOL_RANGE_UNSPECIFIED;
    f->format = AV_PIX_FMT_YUVJ420P;
    EXPECT_EQ(colorSpaceOf(*f).range, render::ColorRange::Full);
}

// A 5x3 yuv420p frame whose luma is 10*y + x, so positions can be checked.
FramePtr numberedFrame(FramePool& pool)
{
    FramePtr f = pool.get(AV_PIX_FMT_YUV420P, 5, 3);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 5; ++x)
            f->data[0][y * f->linesize[0] + x] = static_cast<std::uint8_t>(10 * y + x);
    for (int p = 1; p < 3; ++p)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x)
                f->data[p][y * f->linesize[p] + x] = static_cast<std::uint8_t>(100 * p + 10 * y + x);
    return f;
}

int luma(const AVFrame& f, int x, int y)
{
    return f.data[0][y * f.linesize[0] + x];
}

// A flat yuv420p frame holding `rgb` by the textbook limited-range formula of the matrix
// with luma weights kr, kb: an independent check of what frameToRgba reads.
FramePtr flatYuv(FramePool& pool, int w, int h, const int rgb[3], double kr, double kb)
{
    const double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
    const double y = kr * r + (1 - kr - kb) * g + kb * b;
    const double u = (b - y) / (2 * (1 - kb)), v = (r - y) / (2 * (1 - kr));
    FramePtr f = pool.get(AV_PIX_FMT_YUV420P, w, h);
    const std::uint8_t values[3] = {std::uint8_t(std::lround(16 + 219 * y)), std::uint8_t(std::lround(128 + 224 * u)),
                                    std::uint8_t(std::lround(128 + 224 * v))};
    for (int p = 0; p < 3; ++p)
        for (int row = 0; row < (p ? h / 2 : h); ++row)
            std::memset(f->data[p] + std::size_t(row) * f->linesize[p], values[p], p ? w / 2 : w);
    return f;
}

TEST(FrameMapping, FrameToRgbaReadsTheMatrixFromTheTags)
{
    FramePool pool;
    const int colour[3] = {200, 100, 50};
    SwsContextPtr cache;
    std::vector<std::uint8_t> rgba(64 * 32 * 4);
    const auto check = [&](const AVFrame& f, const char* what) {
        frameToRgba(cache, f, rgba.data(), 64 * 4);
        const std::uint8_t* px = &rgba[(16 * 64 + 32) * 4];
        for (int c = 0; c < 3; ++c)
            EXPECT_NEAR(px[c], colour[c], 2) << what << " channel " << c;
    };
    FramePtr hd = flatYuv(pool, 64, 32, colour, 0.2126, 0.0722);
    hd->colorspace = AVCOL_SPC_BT709;
    hd->color_range = AVCOL_RANGE_MPEG;
    check(*hd, "BT.709 tagged");
    FramePtr sd = flatYuv(pool, 64, 32, colour, 0.299, 0.114);
    check(*sd, "untagged SD size (BT.601)");
    // The same BT.601 values read as BT.709 would be several levels off: the tags matter.
    sd->colorspace = AVCOL_SPC_BT709;
    frameToRgba(cache, *sd, rgba.data(), 64 * 4);
    EXPECT_GT(std::abs(rgba[(16 * 64 + 32) * 4 + 1] - colour[1]), 4);
}

// render::frameToImage (the CPU's YUV -> RGB, used for the style predictor) against
// FFmpeg's swscale on the same frames: four flat quadrants (so swscale's chroma
// filtering does not matter away from the edges), each layout, each matrix and range.
TEST(FrameMapping, CpuFrameToImageMatchesSwscale)
{
    FramePool pool;
    const int w = 64, h = 32;
    const int colours[4][3] = {{200, 100, 50}, {30, 160, 220}, {240, 240, 235}, {12, 40, 20}};
    struct Space {
        AVColorSpace tag;
        AVColorRange range;
        double kr, kb;
    };
    const Space spaces[] = {{AVCOL_SPC_BT709, AVCOL_RANGE_MPEG, 0.2126, 0.0722},
                            {AVCOL_SPC_SMPTE170M, AVCOL_RANGE_MPEG, 0.299, 0.114},
                            {AVCOL_SPC_BT709, AVCOL_RANGE_JPEG, 0.2126, 0.0722},
                            {AVCOL_SPC_SMPTE170M, AVCOL_RANGE_JPEG, 0.299, 0.114}};
    for (const Space& space : spaces) {
        const bool full = space.range == AVCOL_RANGE_JPEG;
        FramePtr yuv = pool.get(AV_PIX_FMT_YUV420P, w, h);
        yuv->colorspace = space.tag;
        yuv->color_range = space.range;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const int* rgb = colours[(y >= h / 2) * 2 + (x >= w / 2)];
                const double r = rgb[0] / 255.0, g = rgb[1] / 255.0, b = rgb[2] / 255.0;
                const double Y = space.kr * r + (1 - space.kr - space.kb) * g + space.kb * b;
                const double U = (b - Y) / (2 * (1 - space.kb)), V = (r - Y) / (2 * (1 - space.kr));
                yuv->data[0][y * yuv->linesize[0] + x] = std::uint8_t(std::lround(full ? 255 * Y : 16 + 219 * Y));
                if (y % 2 == 0 && x % 2 == 0) {
                    const double c = full ? 255 : 224;
                    yuv->data[1][y / 2 * yuv->linesize[1] + x / 2] = std::uint8_t(std::lround(128 + c * U));
                    yuv->data[2][y / 2 * yuv->linesize[2] + x / 2] = std::uint8_t(std::lround(128 + c * V));
                }
            }
        std::vector<std::uint8_t> fromPlanar;
        for (const AVPixelFormat format : {AV_PIX_FMT_YUV420P, AV_PIX_FMT_NV12, AV_PIX_FMT_YUYV422}) {
            FramePtr converted;
            if (format != AV_PIX_FMT_YUV420P) {  // the same samples in another layout
                converted = pool.get(format, w, h);
                AVFrame* frame = converted.get();
                SwsContextPtr sws(sws_getContext(w, h, AV_PIX_FMT_YUV420P, w, h, format, SWS_POINT, nullptr,
                                                 nullptr, nullptr));
                sws_scale(sws.get(), yuv->data, yuv->linesize, 0, h, frame->data, frame->linesize);
                frame->colorspace = space.tag;
                frame->color_range = space.range;
            }
            const AVFrame* frame = converted ? converted.get() : yuv.get();
            const render::Image cpu = render::frameToImage(frameView(*frame));
            ASSERT_EQ(cpu.width, w);
            ASSERT_EQ(cpu.height, h);
            // swscale reads yuv420p as the reference; its unscaled NV12/YUYV paths round
            // differently (3 levels off the formula), so those layouts must give exactly
            // what the same samples gave as yuv420p.
            std::vector<std::uint8_t> reference(std::size_t(w) * h * 4);
            if (format == AV_PIX_FMT_YUV420P) {
                SwsContextPtr cache;
                frameToRgba(cache, *frame, reference.data(), w * 4);
                fromPlanar = cpu.rgba;
            } else {
                reference = fromPlanar;
            }
            const int tolerance = format == AV_PIX_FMT_YUV420P ? 2 : 0;
            for (int q = 0; q < 4; ++q) {
                const int x = (q % 2) * w / 2 + w / 4, y = (q / 2) * h / 2 + h / 4;
                const std::size_t i = (std::size_t(y) * w + x) * 4;
                for (int c = 0; c < 3; ++c) {
                    EXPECT_NEAR(cpu.rgba[i + c], reference[i + c], tolerance)
                        << av_get_pix_fmt_name(format) << (full ? " full" : " limited") << " kr " << space.kr
                        << " quadrant " << q << " channel " << c;
                    EXPECT_NEAR(cpu.rgba[i + c], colours[q][c], 2);
                }
                EXPECT_EQ(cpu.rgba[i + 3], 255);
            }
        }
    }
    // A smaller copy takes every n-th pixel: 64x32 at most 20 wide is every 4th.
    FramePtr small = pool.get(AV_PIX_FMT_RGBA, w, h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w * 4; ++x)
            small->data[0][y * small->linesize[0] + x] = std::uint8_t(x / 4 + y);
    const render::Image copy = render::frameToImage(frameView(*small), 20);
    EXPECT_EQ(copy.width, 16);
    EXPECT_EQ(copy.height, 8);
    EXPECT_EQ(copy.rgba[(std::size_t(2) * 16 + 3) * 4], 3 * 4 + 2 * 4);
}

TEST(UprightConverter, RotatesClockwiseByTheDisplayMatrixAngle)
{
    FramePool pool;
    FramePtr r90 = UprightConverter(90).convert(numberedFrame(pool));
    ASSERT_EQ(r90->width, 3);
    ASSERT_EQ(r90->height, 5);
    // Clockwise: the bottom-left source pixel lands top-left.
    EXPECT_EQ(luma(*r90, 0, 0), 20);
    EXPECT_EQ(luma(*r90, 2, 0), 0);
    EXPECT_EQ(luma(*r90, 2, 4), 4);
    EXPECT_EQ(r90->data[1][0], 110);  // chroma turned too (2x3 → 3x2)

    FramePtr r180 = UprightConverter(180).convert(numberedFrame(pool));
    ASSERT_EQ(r180->width, 5);
    EXPECT_EQ(luma(*r180, 0, 0), 24);
    EXPECT_EQ(luma(*r180, 4, 2), 0);

    FramePtr r270 = UprightConverter(270).convert(numberedFrame(pool));
    ASSERT_EQ(r270->width, 3);
    EXPECT_EQ(luma(*r270, 0, 0), 4);
    EXPECT_EQ(luma(*r270, 0, 4), 0);
}

TEST(UprightConverter, PassesGpuLayoutsThroughAndConvertsOthers)
{
    FramePool pool;
    FramePtr frame = numberedFrame(pool);
    const std::uint8_t* before = frame->data[0];
    FramePtr same = UprightConverter(0).convert(std::move(frame));
    EXPECT_EQ(same->data[0], before);  // no copy

    FramePool rgbPool;
    FramePtr rgb = rgbPool.get(AV_PIX_FMT_RGB24, 7, 5);
    FramePtr converted = UprightConverter(0).convert(std::move(rgb));
    EXPECT_EQ(converted->format, AV_PIX_FMT_YUV420P);
    EXPECT_EQ(converted->width, 7);
    EXPECT_EQ(frameView(*converted).layout, render::PixelLayout::Yuv420p);
}

TEST(FramePool, ReusesReleasedBuffers)
{
    FramePool pool;
    const std::uint8_t* first = nullptr;
    {
        FramePtr f = pool.get(AV_PIX_FMT_YUV420P, 64, 48);
        first = f->data[0];
        EXPECT_EQ(f->linesize[0] % 64, 0);
    }
    FramePtr again = pool.get(AV_PIX_FMT_YUV420P, 64, 48);
    EXPECT_EQ(again->data[0], first);
}

TEST(Parsers, VideoCodecNames)
{
    EXPECT_EQ(parseVideoCodec("h264"), VideoCodec::H264);
    EXPECT_EQ(parseVideoCodec("hevc"), VideoCodec::Hevc);
    EXPECT_EQ(parseVideoCodec("vp9"), VideoCodec::Vp9);
    EXPECT_EQ(parseVideoCodec("av1"), VideoCodec::Av1);
    EXPECT_THROW(parseVideoCodec("mpeg2"), VideoError);
}

TEST(Parsers, SourceNames)
{
    EXPECT_EQ(resolveSource("testsrc").kind, SourceKind::TestPattern);
    EXPECT_EQ(resolveSource("testsrc").location, kTestPatternGraph);
    EXPECT_EQ(resolveSource("lavfi:color=red").location, "color=red");
    EXPECT_EQ(resolveSource("testsrc2=size=64x48").kind, SourceKind::Lavfi);
    EXPECT_EQ(resolveSource("/dev/video7").kind, SourceKind::Camera);
    EXPECT_EQ(resolveSource("rtsp://camera.local/stream").kind, SourceKind::Url);
    try {
        resolveSource("No Such Camera");
        FAIL() << "expected an error";
    } catch (const VideoError& e) {
        EXPECT_NE(std::string(e.what()).find("No Such Camera"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("stylize-cli devices"), std::string::npos);
    }
}

}  // namespace
}  // namespace stylize::video
