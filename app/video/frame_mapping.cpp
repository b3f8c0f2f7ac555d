// Frame views over AVFrames, colour tags, swscale fallback and plane rotation.
#include "video/frame_mapping.h"

#include <cstring>

#include "video/av_error.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace stylize::video {

std::optional<render::PixelLayout> gpuLayout(int avPixelFormat)
{
    switch (avPixelFormat) {
        case AV_PIX_FMT_YUV420P:
        case AV_PIX_FMT_YUVJ420P:
            return render::PixelLayout::Yuv420p;
        case AV_PIX_FMT_NV12:
            return render::PixelLayout::Nv12;
        case AV_PIX_FMT_YUYV422:
            return render::PixelLayout::Yuyv422;
        case AV_PIX_FMT_RGBA:
            return render::PixelLayout::Rgba8;
        default:
            return std::nullopt;
    }
}

AVPixelFormat avPixelFormat(render::PixelLayout layout)
{
    switch (layout) {
        case render::PixelLayout::Yuv420p:
            return AV_PIX_FMT_YUV420P;
        case render::PixelLayout::Nv12:
            return AV_PIX_FMT_NV12;
        case render::PixelLayout::Yuyv422:
            return AV_PIX_FMT_YUYV422;
        case render::PixelLayout::Rgba8:
            return AV_PIX_FMT_RGBA;
    }
    return AV_PIX_FMT_NONE;
}

render::ColorSpace colorSpaceOf(const AVFrame& frame)
{
    render::ColorSpace c;
    switch (frame.colorspace) {
        case AVCOL_SPC_BT709:
            c.matrix = render::ColorMatrix::Bt709;
            break;
        case AVCOL_SPC_BT470BG:
        case AVCOL_SPC_SMPTE170M:
        case AVCOL_SPC_FCC:
        case AVCOL_SPC_SMPTE240M:
            c.matrix = render::ColorMatrix::Bt601;
            break;
        default:
            c.matrix = frame.height >= 720 ? render::ColorMatrix::Bt709 : render::ColorMatrix::Bt601;
    }
    const bool full = frame.color_range == AVCOL_RANGE_JPEG || frame.format == AV_PIX_FMT_YUVJ420P;
    c.range = full ? render::ColorRange::Full : render::ColorRange::Limited;
    return c;
}

render::FrameView frameView(const AVFrame& frame)
{
    render::FrameView view;
    view.layout = gpuLayout(frame.format).value();
    view.width = frame.width;
    view.height = frame.height;
    view.color = colorSpaceOf(frame);
    for (int i = 0; i < 3; ++i) {
        view.strides[i] = frame.linesize[i];
        view.planes[i] = frame.data[i];
    }
    return view;
}

render::MutableFrameView mutableFrameView(AVFrame& frame, render::ColorSpace color)
{
    render::MutableFrameView view;
    view.layout = gpuLayout(frame.format).value();
    view.width = frame.width;
    view.height = frame.height;
    view.color = color;
    for (int i = 0; i < 3; ++i) {
        view.strides[i] = frame.linesize[i];
        view.planes[i] = frame.data[i];
    }
    return view;
}

namespace {

// Rotates one 8-bit plane clockwise by 90, 180 or 270 degrees.
void rotatePlane(const std::uint8_t* src, int srcStride, int w, int h, std::uint8_t* dst, int dstStride, int rotation)
{
    if (rotation == 180) {
        for (int y = 0; y < h; ++y) {
            const std::uint8_t* s = src + std::ptrdiff_t(h - 1 - y) * srcStride;
            std::uint8_t* d = dst + std::ptrdiff_t(y) * dstStride;
            for (int x = 0; x < w; ++x)
                d[x] = s[w - 1 - x];
        }
        return;
    }
    // The destination is h wide and w tall.
    for (int y = 0; y < w; ++y) {
        std::uint8_t* d = dst + std::ptrdiff_t(y) * dstStride;
        if (rotation == 90)
            for (int x = 0; x < h; ++x)
                d[x] = src[std::ptrdiff_t(h - 1 - x) * srcStride + y];
        else
            for (int x = 0; x < h; ++x)
                d[x] = src[std::ptrdiff_t(x) * srcStride + (w - 1 - y)];
    }
}

void configureRanges(SwsContext* sws, const AVFrame& src, bool dstFull)
{
    const bool srcFull = src.color_range == AVCOL_RANGE_JPEG || src.format == AV_PIX_FMT_YUVJ420P ||
                         src.format == AV_PIX_FMT_YUVJ422P || src.format == AV_PIX_FMT_YUVJ444P;
    const int matrix = colorSpaceOf(src).matrix == render::ColorMatrix::Bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    const int* table = sws_getCoefficients(matrix);
    sws_setColorspaceDetails(sws, table, srcFull ? 1 : 0, table, dstFull ? 1 : 0, 0, 1 << 16, 1 << 16);
}

}  // namespace

FramePtr UprightConverter::toYuv420p(const AVFrame& src)
{
    sws_.reset(sws_getCachedContext(sws_.release(), src.width, src.height, static_cast<AVPixelFormat>(src.format),
                                    src.width, src.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr,
                                    nullptr));
    if (!sws_)
        throw VideoError(std::string("Cannot convert decoded frames of pixel format ") +
                         (av_get_pix_fmt_name(static_cast<AVPixelFormat>(src.format))
                              ? av_get_pix_fmt_name(static_cast<AVPixelFormat>(src.format))
                              : "unknown") +
                         " for the GPU.");
    // YUV sources keep their range; RGB sources become limited-range video.
    const bool yuvSource = !(av_pix_fmt_desc_get(static_cast<AVPixelFormat>(src.format))->flags & AV_PIX_FMT_FLAG_RGB);
    const bool full = yuvSource && colorSpaceOf(src).range == render::ColorRange::Full;
    configureRanges(sws_.get(), src, full);
    FramePtr out = convertedPool_.get(AV_PIX_FMT_YUV420P, src.width, src.height);
    checkAv(av_frame_copy_props(out.get(), &src), "Copying frame properties");
    sws_scale(sws_.get(), src.data, src.linesize, 0, src.height, out->data, out->linesize);
    out->color_range = full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    if (!yuvSource)  // the matrix configureRanges() chose for RGB→YUV
        out->colorspace = colorSpaceOf(src).matrix == render::ColorMatrix::Bt709 ? AVCOL_SPC_BT709 : AVCOL_SPC_BT470BG;
    return out;
}

FramePtr UprightConverter::rotate(const AVFrame& src)
{
    const bool quarter = rotation_ != 180;
    FramePtr out = rotatedPool_.get(static_cast<AVPixelFormat>(src.format), quarter ? src.height : src.width,
                                    quarter ? src.width : src.height);
    checkAv(av_frame_copy_props(out.get(), &src), "Copying frame properties");
    for (int p = 0; p < 3; ++p) {
        const int w = p ? (src.width + 1) / 2 : src.width;
        const int h = p ? (src.height + 1) / 2 : src.height;
        rotatePlane(src.data[p], src.linesize[p], w, h, out->data[p], out->linesize[p], rotation_);
    }
    return out;
}

FramePtr UprightConverter::convert(FramePtr frame)
{
    const bool gpuReady = gpuLayout(frame->format).has_value();
    if (rotation_ == 0 && gpuReady)
        return frame;
    if (!gpuReady || (rotation_ != 0 && frame->format != AV_PIX_FMT_YUV420P && frame->format != AV_PIX_FMT_YUVJ420P))
        frame = toYuv420p(*frame);
    if (rotation_ != 0)
        frame = rotate(*frame);
    return frame;
}

namespace {

// BT.709 both ways; the RGB side full range, the YUV side limited (MediaOutput's tags).
void useEncoderColours(SwsContext* sws)
{
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    sws_setColorspaceDetails(sws, bt709, 1, bt709, 0, 0, 1 << 16, 1 << 16);
}

}  // namespace

void rgbaToEncoderYuv(SwsContextPtr& cache, const std::uint8_t* rgba, int rgbaStride, int width, int height,
                      AVPixelFormat format, std::uint8_t* const planes[4], const int strides[4], int outW, int outH)
{
    cache.reset(sws_getCachedContext(cache.release(), width, height, AV_PIX_FMT_RGBA, outW, outH, format,
                                     SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!cache)
        throw VideoError("Cannot convert RGBA frames to " + std::string(av_get_pix_fmt_name(format)) +
                         " for the encoder.");
    useEncoderColours(cache.get());
    const std::uint8_t* src[4] = {rgba, nullptr, nullptr, nullptr};
    const int srcStride[4] = {rgbaStride, 0, 0, 0};
    sws_scale(cache.get(), src, srcStride, 0, height, planes, strides);
}

void frameToRgba(SwsContextPtr& cache, const AVFrame& frame, std::uint8_t* rgba, int rgbaStride, int outWidth,
                 int outHeight)
{
    const AVPixelFormat format = static_cast<AVPixelFormat>(frame.format);
    const int w = outWidth > 0 ? outWidth : frame.width, h = outHeight > 0 ? outHeight : frame.height;
    cache.reset(sws_getCachedContext(cache.release(), frame.width, frame.height, format, w, h,
                                     AV_PIX_FMT_RGBA, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!cache)
        throw VideoError("Cannot convert " + std::string(av_get_pix_fmt_name(format)) + " frames to RGBA.");
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
        const render::ColorSpace cs = colorSpaceOf(frame);
        const int* src = sws_getCoefficients(cs.matrix == render::ColorMatrix::Bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601);
        const int full = cs.range == render::ColorRange::Full ? 1 : 0;
        sws_setColorspaceDetails(cache.get(), src, full, sws_getCoefficients(SWS_CS_ITU709), 1, 0, 1 << 16, 1 << 16);
    }
    std::uint8_t* dst[4] = {rgba, nullptr, nullptr, nullptr};
    const int dstStride[4] = {rgbaStride, 0, 0, 0};
    sws_scale(cache.get(), frame.data, frame.linesize, 0, frame.height, dst, dstStride);
}

FramePtr FrameScaler::scale(const AVFrame& src, AVPixelFormat format, int width, int height)
{
    sws_.reset(sws_getCachedContext(sws_.release(), src.width, src.height, static_cast<AVPixelFormat>(src.format),
                                    width, height, format, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws_)
        throw VideoError("Cannot convert frames for the recorder.");
    useEncoderColours(sws_.get());
    FramePtr out = pool_.get(format, width, height);
    checkAv(av_frame_copy_props(out.get(), &src), "Copying frame properties");
    sws_scale(sws_.get(), src.data, src.linesize, 0, src.height, out->data, out->linesize);
    out->color_range = AVCOL_RANGE_MPEG;
    out->colorspace = AVCOL_SPC_BT709;
    return out;
}

}  // namespace stylize::video
