// StudioExport: pipeline::ExportJob on a thread, stylizing with a snapshot of the blend.
#include "studio/studio_export.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include <QObject>

#include "frame_pixels.h"
#include "picture_styles.h"
#include "stylizer.h"
#include "pipeline/export_job.h"
#include "studio/blended_stylizer.h"
#include "studio/style_library.h"
#include "video/av_ptr.h"
#include "video/frame_mapping.h"

extern "C" {
#include <libswscale/swscale.h>
}

namespace stylize::studio {

struct StudioExport::Impl {
    Impl(vk::Context& c, std::vector<ModelBlend> m, const BlendSettings& b, const ExportRequest& r, int inFlight)
        : context(c), models(std::move(m)), blend(b), request(r),
          depth(models.size() != 1 ? 1
                                   : std::clamp(inFlight > 0 ? inFlight : render::Stylizer::defaultFramesInFlight(c), 1,
                                                int(render::Stylizer::kFramesInFlight)))
    {
    }
    vk::Context& context;
    const std::vector<ModelBlend> models;
    const BlendSettings blend;
    const ExportRequest request;
    const int depth;  // frames in flight
    std::unique_ptr<pipeline::ExportJob> job;
    // Made by start() (cancel() may stop its compiles from another thread); used by the
    // job's stylize thread from the first frame on.
    std::shared_ptr<BlendedStylizer> stylizer;
    std::thread thread;
    std::atomic<bool> running{false};
    std::atomic<bool> cancelled{false};
};

StudioExport::StudioExport(vk::Context& context, std::vector<ModelBlend> models, const BlendSettings& blend,
                           const ExportRequest& request, int framesInFlight)
    : impl_(std::make_unique<Impl>(context, std::move(models), blend, request, framesInFlight))
{
}

StudioExport::~StudioExport()
{
    cancel();
    wait();
}

void StudioExport::start(ProgressFn progress, FinishedFn finished)
{
    Impl& d = *impl_;
    pipeline::ExportConfig config;
    config.input = d.request.input.toStdString();
    config.output = d.request.output.toStdString();
    config.codec = d.request.codec.toStdString();
    config.crf = d.request.crf;
    if (d.request.size.isValid())
        config.size = {d.request.size.width(), d.request.size.height()};

    // What the job's stylize thread keeps across frames: the stylizer (created there at the
    // first frame) and, for blends across models, the RGBA mix and one conversion context.
    struct Scratch {
        std::shared_ptr<BlendedStylizer> stylizer;
        std::vector<ModelBlend> models;
        render::OutputLook look;
        double brush = 1;
        bool blendSet = false;
        std::vector<std::uint8_t> rgba;
        video::SwsContextPtr sws;

        // The blend, at the first frame; picture styles below full strength take that
        // frame's own style vector.
        void setUp(const render::FrameView& in)
        {
            if (std::exchange(blendSet, true))
                return;
            stylizer->setBlend(models, look);
            if (auto magenta = stylizer->contentPredictor())
                stylizer->setContent(magenta->predict(render::frameToImage(in).view()));
        }
        render::Size processing(const render::FrameView& in) const
        {
            return {std::max(2, int(in.width * brush) / 2 * 2), std::max(2, int(in.height * brush) / 2 * 2)};
        }
    };
    auto scratch = std::make_shared<Scratch>();
    d.stylizer = std::make_shared<BlendedStylizer>(d.context);
    scratch->stylizer = d.stylizer;
    scratch->models = d.models;
    scratch->look = render::OutputLook{float(d.blend.strength), d.blend.preserveColours, float(d.blend.sceneLight),
                                       float(d.blend.steady)};
    scratch->brush = d.blend.brushPercent > 0 ? d.blend.brushPercent / 100.0 : 1.0;
    if (d.models.size() == 1) {
        // One model: straight into the encoder's frames, `depth` of them in flight.
        pipeline::PipelinedStylize stylize;
        stylize.submit = [scratch](const render::FrameView& in, const render::MutableFrameView& out) {
            scratch->setUp(in);
            scratch->stylizer->submit(in, scratch->processing(in), out);
        };
        stylize.collect = [scratch] { scratch->stylizer->collect(); };
        stylize.depth = d.depth;
        d.job = std::make_unique<pipeline::ExportJob>(config, std::move(stylize));
    } else {
        // Blends across models mix in RGBA; the encoder wants YUV: convert once here.
        pipeline::StylizeFunction stylize = [scratch](const render::FrameView& in, const render::MutableFrameView& out) {
            Scratch& k = *scratch;
            k.setUp(in);
            render::MutableFrameView mixed = out;
            mixed.layout = render::PixelLayout::Rgba8;
            k.rgba.resize(std::size_t(out.width) * out.height * 4);
            mixed.planes[0] = k.rgba.data();
            mixed.strides[0] = out.width * 4;
            k.stylizer->run(in, k.processing(in), mixed);
            std::uint8_t* const dst[4] = {out.planes[0], out.planes[1], out.planes[2], nullptr};
            const int dstStride[4] = {out.strides[0], out.strides[1], out.strides[2], 0};
            video::rgbaToEncoderYuv(k.sws, k.rgba.data(), out.width * 4, out.width, out.height,
                                    out.layout == render::PixelLayout::Nv12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P,
                                    dst, dstStride, out.width, out.height);
        };
        d.job = std::make_unique<pipeline::ExportJob>(config, std::move(stylize));
    }
    d.running = true;
    d.thread = std::thread([this, progress = std::move(progress), finished = std::move(finished)] {
        Impl& d = *impl_;
        try {
            const pipeline::ExportResult r = d.job->run([&](const pipeline::ExportProgress& p) {
                progress(ExportProgress{p.framesDone, p.framesTotal, p.fps, p.etaSeconds});
            });
            const QString out = d.request.output;
            switch (r.outcome) {
            case pipeline::ExportOutcome::Completed:
                finished(true, QObject::tr("Exported %1 frames to %2 in %3 s.")
                                   .arg(r.framesWritten)
                                   .arg(out)
                                   .arg(r.seconds, 0, 'f', 1));
                break;
            case pipeline::ExportOutcome::CompletedWithDamage:
                finished(true, QObject::tr("Exported %1 frames to %2, but the input is damaged: %3")
                                   .arg(r.framesWritten)
                                   .arg(out, QString::fromStdString(r.damage)));
                break;
            case pipeline::ExportOutcome::Cancelled:
                finished(false, QObject::tr("Export cancelled: %1 holds the first %2 frames and plays.")
                                    .arg(out)
                                    .arg(r.framesWritten));
                break;
            }
        } catch (const std::exception& e) {
            if (d.cancelled)  // stopped in the first frame's compile: nothing was written
                finished(false, QObject::tr("Export cancelled before its first frame; %1 was not written.")
                                    .arg(d.request.output));
            else
                finished(false, QString::fromStdString(e.what()));
        }
        d.running = false;
    });
}

void StudioExport::cancel()
{
    impl_->cancelled = true;
    if (impl_->job)
        impl_->job->cancel();
    if (impl_->stylizer)
        impl_->stylizer->cancel();  // a first frame still compiling stops at its next pipeline
}

void StudioExport::wait()
{
    if (impl_->thread.joinable())
        impl_->thread.join();
}

bool StudioExport::running() const { return impl_->running; }

int StudioExport::framesInFlight() const { return impl_->depth; }

}  // namespace stylize::studio
