// BlendedStylizer: per-model stylizers and the output-space mix.
#include "studio/blended_stylizer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "stylizer.h"
#include "vk/context.h"
#include "vk/pipeline_cache.h"

namespace stylize::studio {

BlendedStylizer::BlendedStylizer(vk::Context& context) : context_(context) {}

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
        options.precision =
            context_.info().fp16Storage ? render::Precision::Fp16Storage : render::Precision::Fp32;
        if (!pipelines_)
            pipelines_ = render::Stylizer::makePipelineCache(context_, *options.precision);
        options.pipelines = pipelines_;
        it = stylizers_.emplace(key, Entry{blend.shared, std::make_unique<render::Stylizer>(context_, *key, options)})
                 .first;
    }
    return *it->second.stylizer;
}

void BlendedStylizer::setBlend(std::vector<ModelBlend> blend, const render::OutputLook& look)
{
    blend_ = std::move(blend);
    look_ = look;
    for (const ModelBlend& b : blend_) {
        render::Stylizer& s = stylizerFor(b);
        s.setStyleWeights(b.slotWeights);
        s.setLook(look_);
    }
}

void BlendedStylizer::releaseUnused()
{
    for (auto it = stylizers_.begin(); it != stylizers_.end();) {
        const bool used =
            std::any_of(blend_.begin(), blend_.end(), [&](const ModelBlend& b) { return b.shared.get() == it->first; });
        it = used ? std::next(it) : stylizers_.erase(it);
    }
}

void BlendedStylizer::dropPlans()
{
    for (auto& [model, entry] : stylizers_)
        if (entry.stylizer->busy())
            static_cast<void>(entry.stylizer.release());  // its buffers may still be in use on the device
    stylizers_.clear();
    pipelines_.reset();  // a leaked stylizer keeps its own reference
    setBlend(blend_, look_);
}

bool BlendedStylizer::needsPlan(const render::FrameGeometry& frame, render::Size processing,
                                const render::FrameGeometry& output)
{
    return std::any_of(blend_.begin(), blend_.end(), [&](const ModelBlend& b) {
        return stylizerFor(b).needsPlan(frame, processing, output);
    });
}

void BlendedStylizer::prepare(const render::FrameGeometry& frame, render::Size processing,
                              const render::FrameGeometry& output)
{
    for (const ModelBlend& b : blend_)
        stylizerFor(b).prepare(frame, processing, output);
}

render::SharedFrame BlendedStylizer::runShared(const render::FrameView& frame, render::Size processing,
                                               const render::FrameGeometry& output)
{
    if (blend_.size() == 1)
        return stylizerFor(blend_[0]).runShared(frame, processing, output);
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

void BlendedStylizer::run(const render::FrameView& frame, render::Size processing,
                          const render::MutableFrameView& output)
{
    if (blend_.empty())
        throw std::runtime_error("No style is loaded: import a model or install the default style pack");
    if (blend_.size() == 1) {
        stylizerFor(blend_[0]).run(frame, processing, output);
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
    for (const ModelBlend& b : blend_) {
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
