// BlendedStylizer: per-model stylizers and the output-space mix.
#include "studio/blended_stylizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "picture_styles.h"
#include "stylizer.h"
#include "vk/context.h"
#include "vk/pipeline_cache.h"

namespace stylize::studio {

BlendedStylizer::BlendedStylizer(vk::Context& context)
    : context_(context),
      pipelines_(render::Stylizer::makePipelineCache(context, render::Stylizer::defaultPrecision(context)))
{
}

void BlendedStylizer::cancel() { pipelines_->cancel(); }

BlendedStylizer::~BlendedStylizer() = default;

render::Stylizer& BlendedStylizer::stylizerFor(const ModelBlend& blend)
{
    const model::Model* key = blend.shared.get();
    if (!key)
        throw std::logic_error("BlendedStylizer: a blend without its model");
    auto it = stylizers_.find(key);
    if (it == stylizers_.end()) {
        // One pipeline cache for every model: a model seen for the first time (an import,
        // a picture style added) compiles only the shader variants no other one had.
        render::StylizerOptions options;
        options.pipelines = pipelines_;  // and its precision
        options.warmUpProgress = warmUpProgress_;
        it = stylizers_.emplace(key, Entry{blend.shared, std::make_unique<render::Stylizer>(context_, *key, options)})
                 .first;
    }
    return *it->second.stylizer;
}

void BlendedStylizer::setBlend(std::vector<ModelBlend> blend, const render::OutputLook& look)
{
    settle();
    blend_ = std::move(blend);
    look_ = look;
    apply();
}

std::shared_ptr<const app::MagentaStyles> BlendedStylizer::contentPredictor() const
{
    if (!(look_.strength < 1.f))
        return nullptr;
    for (const ModelBlend& b : blend_)
        if (b.magenta)
            return b.magenta;
    return nullptr;
}

void BlendedStylizer::setContent(std::vector<float> vector)
{
    settle();
    content_ = std::move(vector);
    withContent_.clear();
    apply();
}

void BlendedStylizer::apply()
{
    active_ = blend_;
    for (ModelBlend& b : active_) {
        if (!b.magenta || content_.empty() || !(look_.strength < 1.f))
            continue;
        auto& derived = withContent_[b.shared.get()];
        if (!derived)
            derived = std::make_shared<const model::Model>(b.magenta->withContent(*b.shared, content_));
        b.shared = derived;
        b.slotWeights = app::contentMixWeights(b.slotWeights, look_.strength);
    }
    // Derived models of pictures no longer in the blend are not kept.
    for (auto it = withContent_.begin(); it != withContent_.end();) {
        const bool used = std::any_of(blend_.begin(), blend_.end(), [&](const ModelBlend& b) { return b.shared.get() == it->first; });
        it = used ? std::next(it) : withContent_.erase(it);
    }
    for (std::size_t i = 0; i < active_.size(); ++i) {
        render::Stylizer& s = stylizerFor(active_[i]);
        s.setStyleWeights(active_[i].slotWeights);
        const bool mixed = active_[i].shared != blend_[i].shared;  // the strength is in its weights
        s.setLook(mixed ? render::OutputLook{1.f, look_.preserveColours, look_.sceneLight, look_.steady} : look_);
    }
}

void BlendedStylizer::releaseUnused()
{
    settle();
    for (auto it = stylizers_.begin(); it != stylizers_.end();) {
        const bool used =
            std::any_of(active_.begin(), active_.end(), [&](const ModelBlend& b) { return b.shared.get() == it->first; });
        it = used ? std::next(it) : stylizers_.erase(it);
    }
}

void BlendedStylizer::dropPlans()
{
    pending_.clear();
    for (auto& [model, entry] : stylizers_)
        if (entry.stylizer->busy())
            static_cast<void>(entry.stylizer.release());  // its buffers may still be in use on the device
    stylizers_.clear();  // the pipelines stay: a timeout leaves them valid
    apply();
}

bool BlendedStylizer::needsPlan(const render::FrameGeometry& frame, render::Size processing,
                                const render::FrameGeometry& output)
{
    return std::any_of(active_.begin(), active_.end(), [&](const ModelBlend& b) {
        return stylizerFor(b).needsPlan(frame, processing, output);
    });
}

void BlendedStylizer::prepare(const render::FrameGeometry& frame, render::Size processing,
                              const render::FrameGeometry& output)
{
    for (const ModelBlend& b : active_)
        stylizerFor(b).prepare(frame, processing, output);
}

render::SharedFrame BlendedStylizer::runShared(const render::FrameView& frame, render::Size processing,
                                               const render::FrameGeometry& output)
{
    if (active_.size() == 1)
        return stylizerFor(active_[0]).runShared(frame, processing, output);
    if (output.layout != render::PixelLayout::Rgba8)
        throw std::invalid_argument("Blends across models produce RGBA frames only");
    const int stride = output.width * 4;
    auto memory = std::shared_ptr<std::uint8_t[]>(new std::uint8_t[std::size_t(stride) * output.height]);
    render::MutableFrameView target;
    static_cast<render::FrameGeometry&>(target) = output;
    target.strides[0] = stride;
    target.planes[0] = memory.get();
    run(frame, processing, target);
    render::SharedFrame result;
    static_cast<render::FrameGeometry&>(result) = target;
    result.planes[0] = memory.get();
    result.memory = std::move(memory);
    return result;
}

std::size_t BlendedStylizer::maxInFlight() const
{
    return active_.size() == 1 ? render::Stylizer::kFramesInFlight : 1;
}

void BlendedStylizer::submitShared(const render::FrameView& frame, render::Size processing,
                                   const render::FrameGeometry& output)
{
    // No limit of its own: frames already finished hold no device work, and a stylizer
    // refuses more flights than it has (the caller asked maxInFlight() before the blend
    // it gave here was applied, so one settled frame may still wait in the list).
    if (active_.size() == 1) {
        render::Stylizer& engine = stylizerFor(active_[0]);
        // Frames settled out of the engine stay ahead of it: the engine's first is newer.
        engine.submitShared(frame, processing, output);
        pending_.push_back({&engine, {}});
        return;
    }
    pending_.push_back({nullptr, runShared(frame, processing, output)});
}

render::SharedFrame BlendedStylizer::collectShared()
{
    if (pending_.empty() || pending_.front().intoTarget)
        throw std::logic_error("internal: BlendedStylizer::collectShared without a frame of submitShared in flight");
    Pending next = std::move(pending_.front());
    pending_.pop_front();  // a failure below loses this frame, not the next ones
    return next.engine ? next.engine->collectShared() : std::move(next.ready);
}

void BlendedStylizer::submit(const render::FrameView& frame, render::Size processing,
                             const render::MutableFrameView& output)
{
    if (active_.size() != 1)
        throw std::logic_error("internal: BlendedStylizer::submit with a blend across models (run() mixes those)");
    render::Stylizer& engine = stylizerFor(active_[0]);
    engine.submit(frame, processing, output);
    pending_.push_back({&engine, {}, true});
}

void BlendedStylizer::collect()
{
    if (pending_.empty() || !pending_.front().intoTarget)
        throw std::logic_error("internal: BlendedStylizer::collect without a frame of submit in flight");
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    if (next.engine)  // else settled: already in its target
        next.engine->collect();
}

// Oldest first. A frame whose collect fails stays in the list as one without memory
// (so the caller's collects still meet their own frames) and the failure is thrown;
// the frames after it stay in flight.
void BlendedStylizer::settle()
{
    for (Pending& p : pending_) {
        if (!p.engine)
            continue;
        render::Stylizer* engine = std::exchange(p.engine, nullptr);
        if (p.intoTarget)
            engine->collect();
        else
            p.ready = engine->collectShared();
    }
}

void BlendedStylizer::run(const render::FrameView& frame, render::Size processing,
                          const render::MutableFrameView& output)
{
    if (active_.empty())
        throw std::runtime_error("No style is loaded: import a model or install the default style pack");
    if (active_.size() == 1) {
        stylizerFor(active_[0]).run(frame, processing, output);
        return;
    }
    if (output.layout != render::PixelLayout::Rgba8)
        throw std::invalid_argument("Blends across models produce RGBA frames only");
    const std::size_t rowBytes = std::size_t(output.width) * 4;
    scratch_.resize(rowBytes * output.height);
    accumulator_.assign(rowBytes * output.height, 0.f);
    render::MutableFrameView tight = output;
    tight.planes[0] = scratch_.data();
    tight.strides[0] = int(rowBytes);
    for (const ModelBlend& b : active_) {
        stylizerFor(b).run(frame, processing, tight);
        for (std::size_t i = 0; i < scratch_.size(); ++i)
            accumulator_[i] += b.share * float(scratch_[i]);
    }
    for (int y = 0; y < output.height; ++y) {
        std::uint8_t* row = output.planes[0] + std::size_t(y) * output.strides[0];
        const float* acc = accumulator_.data() + std::size_t(y) * rowBytes;
        for (std::size_t x = 0; x < rowBytes; ++x)
            row[x] = std::uint8_t(std::clamp(std::lround(acc[x]), 0L, 255L));
    }
}

}  // namespace stylize::studio
