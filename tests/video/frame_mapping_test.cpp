// AVFrame ↔ engine views, colour tags, the upright converter and small parsers.
#include <gtest/gtest.h>

#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/frame_pool.h"
#include "video/media_output.h"
#include "video/source_spec.h"

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
