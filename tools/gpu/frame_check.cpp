// The frame-path check (frame_check.h).
#include "frame_check.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "frame_pixels.h"
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

}  // namespace

std::vector<CheckResult> runFrameCheck(vk::Context& context, const model::Model& network,
                                       const std::string& networkName)
{
    std::vector<render::Precision> precisions{render::Precision::Fp32};
    if (context.info().fp16Storage)
        precisions.push_back(render::Precision::Fp16Storage);
    std::vector<CheckResult> results;
    for (render::Precision precision : precisions) {
        CheckResult r;
        r.name = "scene light " + networkName;
        r.kernel = "frame path";
        r.precision = render::precisionName(precision);
        r.input = "3x" + std::to_string(kHeight) + "x" + std::to_string(kWidth);
        r.tolerance = 2.0 / 255;  // two grey levels: the rounding of both frames
        try {
            r.error = sceneLightError(context, network, precision);
            r.passed = r.error <= r.tolerance;
        } catch (const std::exception& e) {
            r.failure = e.what();
        }
        printCheckResult(r);
        results.push_back(std::move(r));
    }
    return results;
}

}  // namespace stylize::gpucheck
