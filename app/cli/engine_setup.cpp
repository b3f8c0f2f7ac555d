// EngineSetup: model, device and stylizer from the common command-line options.
#include "cli/engine_setup.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "default_styles.h"
#include "frame_pixels.h"
#include "model/loaders.h"
#include "picture_styles.h"
#include "style_selection.h"

namespace stylize::cli {
namespace {

std::optional<render::Precision> parsePrecision(const Arguments& args)
{
    auto text = args.value("precision");
    if (!text)
        return std::nullopt;
    if (*text == "fp32")
        return render::Precision::Fp32;
    if (*text == "fp16")
        return render::Precision::Fp16Storage;
    throw UsageError("--precision expects fp32 or fp16, got '" + *text + "'");
}

}  // namespace

EngineSetup::EngineSetup(const Arguments& args, bool timestamps)
{
    context_ = std::make_unique<vk::Context>(args.value("device", ""));
    // No --model: the bundled pack, the light variant on CPU devices.
    const bool cpu = context_->info().type == VK_PHYSICAL_DEVICE_TYPE_CPU;
    model::Model model;
    std::vector<float> weights;
    const auto modelArg = args.value("model");
    // --strength, --preserve-colours, --scene-light and --steady mean the same to every command that has them.
    render::OutputLook look;
    look.strength = static_cast<float>(args.number("strength", 1.0, 0.0, 1.0));
    look.preserveColours = args.flag("preserve-colours");
    look.sceneLight = static_cast<float>(args.number("scene-light", 0.0, 0.0, 1.0));
    look.steady = static_cast<float>(args.number("steady", 0.0, 0.0, 1.0));
    if (const auto pictures = args.value("style-image")) {
        // Any picture as a style: Magenta's arbitrary-style model (a folder of two files).
        if (!modelArg)
            throw UsageError(
                "--style-image needs --model DIR, the folder holding Magenta's arbitrary-style model "
                "(style_predict*.tflite and style_transfer*.tflite)");
        if (args.value("style"))
            throw UsageError("--style and --style-image cannot be used together");
        app::PictureStyles styles = app::loadPictureStyles(*modelArg, *pictures);
        model = std::move(styles.model);
        weights = std::move(styles.weights);
        if (look.strength < 1.f)
            contentMix_ = ContentMix{std::move(styles.magenta), model, weights, {}, {}};
    } else {
        if (modelArg && app::isMagentaFolder(*modelArg))
            throw UsageError(*modelArg +
                             " holds Magenta's arbitrary-style model: give it pictures as styles with "
                             "--style-image PICTURE[=w][,PICTURE=w]");
        model = model::loadModel(app::modelPathOrDefault(modelArg, cpu));
        weights = app::parseStyleSelection(args.value("style", ""), model);
    }
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] <= 0.f)
            continue;
        if (!styles_.empty())
            styles_ += " + ";
        styles_ += model.styles[i].name;
        if (weights[i] < 1.f)
            styles_ += " " + std::to_string(static_cast<int>(std::lround(weights[i] * 100))) + "%";
    }
    render::StylizerOptions options;
    options.precision = parsePrecision(args);
    options.timestamps = timestamps;
    // A CPU driver's first run compiles the network's shaders (up to a minute): say how far,
    // once a second from the second one on (a compile the driver's disk cache makes quick
    // prints nothing).
    options.warmUpProgress = [device = context_->info().name, last = std::chrono::steady_clock::time_point{}](
                                 std::size_t done, std::size_t total) mutable {
        const auto now = std::chrono::steady_clock::now();
        if (last == std::chrono::steady_clock::time_point{})
            last = now;
        if (now - last < std::chrono::seconds(1))
            return;
        last = now;
        std::fprintf(stderr, "compiling shaders for %s (first use): %d%%\n", device.c_str(), int(100 * done / total));
    };
    stylizer_ = std::make_unique<render::Stylizer>(*context_, std::move(model), options);
    stylizer_->setStyleWeights(weights);
    stylizer_->setLook(look);
    if (contentMix_) {
        contentMix_->options = options;
        contentMix_->look = look;
    }
}

render::Stylizer& EngineSetup::stylizerFor(const render::FrameView& frame)
{
    if (!contentMix_)
        return *stylizer_;
    ContentMix& mix = *contentMix_;
    const std::vector<float> content = mix.magenta->predict(render::frameToImage(frame).view());
    model::Model model = mix.magenta->withContent(mix.pictures, content);
    stylizer_ = std::make_unique<render::Stylizer>(*context_, std::move(model), mix.options);
    stylizer_->setStyleWeights(app::contentMixWeights(mix.weights, mix.look.strength));
    stylizer_->setLook({1.f, mix.look.preserveColours, mix.look.sceneLight, mix.look.steady});  // the strength is in the weights
    contentMix_.reset();
    return *stylizer_;
}

pipeline::PipelinedStylize EngineSetup::pipelined(const Arguments& args, render::Size processing)
{
    pipeline::PipelinedStylize p;
    p.submit = [this, processing](const render::FrameView& in, const render::MutableFrameView& out) {
        stylizerFor(in).submit(in, processing.empty() ? out.size() : processing, out);
    };
    p.collect = [this] { stylizer().collect(); };
    p.depth = args.integer("in-flight", render::Stylizer::defaultFramesInFlight(context()), 1,
                           int(render::Stylizer::kFramesInFlight));
    return p;
}

}  // namespace stylize::cli
