// The frame-path check (frame_check.h).
#include "frame_check.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>

#include "cpu/reference_steady.h"
#include "frame_pixels.h"
#include "ops/steady_op.h"
#include "stylizer.h"
#include "vk/context.h"

namespace stylize::gpucheck {
namespace {

constexpr int kWidth = 96, kHeight = 64;

double meanLuma(const render::Image& im)
{
    return render::meanLuma(im.view());
}

// A dim scene: smooth gradients and noise at about a fifth of full brightness.
render::Image dimPicture()
{
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> noise(0, 12);
    render::Image im;
    im.width = kWidth, im.height = kHeight;
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; ++x)
            im.rgba.insert(im.rgba.end(), {std::uint8_t(20 + x / 3 + noise(rng)), std::uint8_t(10 + y / 2 + noise(rng)),
                                           std::uint8_t(45 + noise(rng)), 255});
    return im;
}

double sceneLightError(vk::Context& context, const model::Model& network, render::Precision precision)
{
    render::StylizerOptions options;
    options.precision = precision;
    render::Stylizer stylizer(context, network, options);
    const render::Image scene = dimPicture();
    render::Image painted, lit;
    stylizer.run(scene.view(), {}, {}, painted);
    stylizer.setLook({1.f, false, 1.f});
    stylizer.run(scene.view(), {}, {}, lit);
    // The device measures the network's tensors; 8-bit rounding of the painted frame moves
    // its mean by well under a grey level, inside the tolerance.
    const double gain = std::max(meanLuma(scene), 0.5) / std::max(meanLuma(painted), 0.5);
    double worst = 0;
    for (std::size_t i = 0; i < painted.rgba.size(); ++i)
        if (i % 4 != 3)
            worst = std::max(worst, std::abs(lit.rgba[i] - std::min(255.0, painted.rgba[i] * gain)));
    return worst / 255.0;
}

// A camera panning over a texture (each frame the scene moves 3 pixels left and 1 up,
// from frame 4 on 12 left and 5 up, past the 2x2 level's reach), with a bright square
// crossing it the other way, sensor noise, and a cut to a darker scene at frame 6: what
// Steady follows, keeps out, and forgets.
render::Image panningScene(int t)
{
    std::mt19937 rng(100 + t);
    std::uniform_int_distribution<int> noise(-3, 3);
    render::Image im;
    im.width = kWidth, im.height = kHeight;
    const float dim = t >= 6 ? 0.5f : 1.f;
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; ++x) {
            const float u = float(x + (t <= 3 ? 3 * t : 9 + 12 * (t - 3))),
                        v = float(y + (t <= 3 ? t : 3 + 5 * (t - 3)));
            const bool square = x >= 60 - 4 * t && x < 70 - 4 * t && y >= 20 && y < 30;
            const float level =
                square ? 230.f
                       : 120.f + 50.f * std::sin(u * 0.6f) * std::cos(v * 0.4f) + 20.f * std::sin(u * 0.11f + v * 0.3f);
            for (int c = 0; c < 3; ++c)
                im.rgba.push_back(std::uint8_t(std::clamp(int(std::lround(level * dim)) + 8 * c + noise(rng), 0, 255)));
            im.rgba.push_back(255);
        }
    return im;
}

// Steady at 1 through a contrast-doubling network, two frames in flight (the second
// submitted while the first runs: the device must order their use of the shared history),
// against cpu::ReferenceSteady. The network's output stays inside 0..255 here, so the
// reference sees what the device's filter sees.
double steadyError(vk::Context& context, render::Precision precision)
{
    constexpr float kGain = 1.5f, kOffset = -60.f;
    model::Model contrast;
    contrast.name = "contrast";
    contrast.styles.push_back({"contrast"});
    contrast.nodes.push_back({"contrast", model::Affine{kGain, kOffset}, {0}, 1});
    contrast.output = 1;
    render::StylizerOptions options;
    options.precision = precision;
    render::Stylizer stylizer(context, contrast, options);
    stylizer.setLook({1.f, false, 0.f, 1.f});
    constexpr int kFrames = 9;
    std::vector<render::Image> inputs, outputs(kFrames);
    for (int t = 0; t < kFrames; ++t) {
        inputs.push_back(panningScene(t));
        outputs[t].width = kWidth, outputs[t].height = kHeight;
        outputs[t].rgba.resize(std::size_t(kWidth) * kHeight * 4);
    }
    for (int t = 0; t < kFrames; ++t) {
        if (stylizer.framesInFlight() == render::Stylizer::kFramesInFlight)
            stylizer.collect();
        stylizer.submit(render::frameView(inputs[t].view()), {}, render::frameView(outputs[t]));
    }
    while (stylizer.framesInFlight() > 0)
        stylizer.collect();
    cpu::ReferenceSteady reference(kWidth, kHeight, render::SteadyOp::kMaxKeep,
                                   render::SteadyOp::wideRadius(kWidth, kHeight));
    const std::size_t n = std::size_t(kWidth) * kHeight;
    double worst = 0;
    for (int t = 0; t < kFrames; ++t) {
        const std::vector<float> out = reference.nextAffine(inputs[t].rgba, kGain, kOffset);
        for (std::size_t i = 0; i < n; ++i)
            for (int c = 0; c < 3; ++c)
                worst = std::max(worst,
                                 std::abs(double(outputs[t].rgba[i * 4 + c]) - std::clamp(out[i * 3 + c], 0.f, 255.f)));
    }
    return worst / 255.0;
}

template <typename Measure>
CheckResult frameCheck(const std::string& name, render::Precision precision, double tolerance, Measure measure)
{
    CheckResult r;
    r.name = name;
    r.kernel = "frame path";
    r.precision = render::precisionName(precision);
    r.input = shapeText(3, kHeight, kWidth);
    r.tolerance = tolerance;
    return checkOne(std::move(r), measure);
}

}  // namespace

std::vector<CheckResult> runFrameCheck(vk::Context& context, const model::Model& network,
                                       const std::string& networkName)
{
    std::vector<render::Precision> precisions{render::Precision::Fp32};
    if (context.info().fp16Storage)
        precisions.push_back(render::Precision::Fp16Storage);
    std::vector<CheckResult> results;
    for (render::Precision precision : precisions) {
        // Two grey levels: the rounding of both frames.
        results.push_back(frameCheck("scene light " + networkName, precision, 2.0 / 255,
                                     [&] { return sceneLightError(context, network, precision); }));
        // The device's exp() and the mix's rounding against the reference's: within 1.5 levels.
        results.push_back(frameCheck("steady, panning, 2 in flight", precision, 1.5 / 255,
                                     [&] { return steadyError(context, precision); }));
    }
    return results;
}

}  // namespace stylize::gpucheck
