// OutputLook::steady (shaders/steady.comp) against the same filter written here on the
// CPU, on a noisy still scene with a moving square (what stays still flickers less, what
// moves leaves no trail) and on a noisy panning texture (followed along the motion, it
// flickers less); a new size, a scene cut or frames without it start afresh.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "cpu/reference_steady.h"
#include "gpu_test_support.h"
#include "ops/steady_op.h"
#include "stylizer.h"

namespace stylize::test {
namespace {

constexpr int kW = 48, kH = 32;

// A "style" that doubles the contrast, as a style network amplifies a camera's noise.
model::Model contrastModel()
{
    model::Model m;
    m.name = "contrast";
    m.styles.push_back({"contrast"});
    m.nodes.push_back({"contrast", model::Affine{2.f, -128.f}, {0}, 1});
    m.output = 1;
    return m;
}

// A still scene (a colour gradient) with +-3 levels of noise per frame, and an 8x8 white
// square moving 3 pixels right each frame.
render::Image sceneFrame(int t, std::uint32_t seed = 1)
{
    render::Image im;
    im.width = kW, im.height = kH;
    std::uint32_t s = seed * 7919u + std::uint32_t(t) * 104729u;
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
            const bool square = x >= 4 + 3 * t && x < 12 + 3 * t && y >= 12 && y < 20;
            for (int c = 0; c < 3; ++c) {
                s = s * 1664525u + 1013904223u;
                const int noise = int(s >> 29) - 3;  // -3..4
                const int base = square ? 250 : 70 + x * 2 + c * 10 + y;
                im.rgba.push_back(std::uint8_t(std::clamp(base + noise, 0, 255)));
            }
            im.rgba.push_back(255);
        }
    return im;
}

// The filter on the CPU (cpu::ReferenceSteady) on the network's unclamped output
// (2x - 128); its output clamped and rounded as tensor_to_frame.comp does.
class CpuSteady {
public:
    explicit CpuSteady(float steady, int w = kW, int h = kH)
        : reference_(w, h, steady * render::SteadyOp::kMaxKeep, render::SteadyOp::wideRadius(w, h))
    {
    }
    std::vector<std::uint8_t> next(const render::Image& in)
    {
        const std::vector<float> out = reference_.nextAffine(in.rgba, 2.f, -128.f);
        std::vector<std::uint8_t> rgba;
        for (std::size_t i = 0; i < out.size() / 3; ++i) {
            for (int c = 0; c < 3; ++c)
                rgba.push_back(std::uint8_t(std::lround(std::clamp(out[i * 3 + c], 0.f, 255.f))));
            rgba.push_back(255);
        }
        return rgba;
    }

private:
    cpu::ReferenceSteady reference_;
};

int maxDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b)
{
    int worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
    return worst;
}

// Mean |frame t - frame t-1| over the pixels far from the square in both frames.
double stillFlicker(const std::vector<std::vector<std::uint8_t>>& frames)
{
    double sum = 0;
    int count = 0;
    for (std::size_t t = 1; t < frames.size(); ++t)
        for (int y = 0; y < kH; ++y)
            for (int x = 0; x < kW; ++x) {
                if (y >= 10 && y < 22 && x >= 2 + 3 * int(t - 1) && x < 14 + 3 * int(t))
                    continue;
                for (int c = 0; c < 3; ++c) {
                    const std::size_t k = (std::size_t(y) * kW + x) * 4 + c;
                    sum += std::abs(int(frames[t][k]) - int(frames[t - 1][k]));
                    ++count;
                }
            }
    return sum / count;
}

std::vector<std::vector<std::uint8_t>> runFrames(render::Stylizer& stylizer, int count, std::uint32_t seed = 1)
{
    std::vector<std::vector<std::uint8_t>> outs;
    for (int t = 0; t < count; ++t) {
        render::Image out;
        stylizer.run(sceneFrame(t, seed).view(), {}, {}, out);
        outs.push_back(out.rgba);
    }
    return outs;
}

std::unique_ptr<render::Stylizer> makeStylizer(render::Precision precision, float steady)
{
    render::StylizerOptions options;
    options.precision = precision;
    auto stylizer = std::make_unique<render::Stylizer>(*vulkanContext(), contrastModel(), options);
    stylizer->setLook({1.f, false, 0.f, steady});
    return stylizer;
}

class Steady : public ::testing::TestWithParam<render::Precision> {};

TEST_P(Steady, MatchesTheCpuFilterCalmsAStillSceneAndLeavesNoTrail)
{
    STYLIZE_REQUIRE_VULKAN();
    if (GetParam() == render::Precision::Fp16Storage && !vulkanContext()->info().fp16Storage)
        GTEST_SKIP() << "no 16-bit storage";
    auto raw = makeStylizer(GetParam(), 0.f), steady = makeStylizer(GetParam(), 1.f);
    const auto rawFrames = runFrames(*raw, 8), steadyFrames = runFrames(*steady, 8);
    CpuSteady cpu(1.f);
    for (int t = 0; t < 8; ++t) {
        const std::vector<std::uint8_t> expected = cpu.next(sceneFrame(t));
        // fp16 storage rounds the output tensor (to 0.25 of a level at 255) before and after the mix.
        EXPECT_LE(maxDifference(steadyFrames[t], expected), 1) << "frame " << t;
    }
    // The first frame has no past; the still background flickers less than half as much.
    EXPECT_EQ(steadyFrames[0], rawFrames[0]);
    const double before = stillFlicker(rawFrames), after = stillFlicker(steadyFrames);
    EXPECT_GT(before, 2.0);
    EXPECT_LT(after, 0.5 * before) << "raw " << before << ", steady " << after;
    // Where the square was a frame ago and is no longer, no trail of its white (some 190
    // levels above the background): what shows there is background. (A tile's motion
    // vector may follow the square's edge, so the background there may mix with
    // background a few pixels away, as smooth as the gradient it is.)
    for (int t = 1; t < 8; ++t)
        for (int y = 12; y < 20; ++y)
            for (int x = 4 + 3 * (t - 1); x < 4 + 3 * t - 1; ++x)
                for (int c = 0; c < 3; ++c) {
                    const std::size_t k = (std::size_t(y) * kW + x) * 4 + c;
                    EXPECT_LE(std::abs(int(steadyFrames[t][k]) - int(rawFrames[t][k])), 16)
                        << "frame " << t << " at " << x << "," << y;
                }
    // The square itself, followed by its tiles' motion, is the network's own square.
    for (int t = 1; t < 8; ++t)
        for (int y = 13; y < 19; ++y)
            for (int x = 5 + 3 * t; x < 11 + 3 * t; ++x) {
                const std::size_t k = (std::size_t(y) * kW + x) * 4;
                EXPECT_LE(std::abs(int(steadyFrames[t][k]) - int(rawFrames[t][k])), 2)
                    << "frame " << t << " at " << x << "," << y;
            }
}

// A camera panning over a textured scene (every pixel moves by (x, y) a frame in the
// picture's coordinates: the scene point at (px, py) was at (px + x, py + y) the frame
// before), with +-3 levels of noise per frame, in a w x h frame.
struct Pan {
    int x, y;
    int w = 96, h = 64;
};
render::Image panFrame(int t, Pan pan)
{
    render::Image im;
    im.width = pan.w, im.height = pan.h;
    std::uint32_t s = std::uint32_t(t) * 104729u + 17u;
    for (int y = 0; y < pan.h; ++y)
        for (int x = 0; x < pan.w; ++x) {
            const float u = float(x + pan.x * t), v = float(y + pan.y * t);
            // Coarse structure strongest, as in a real scene (a periodic texture of fine
            // stripes would alias on any block matcher's coarse level).
            const float texture = 128.f + 45.f * std::sin(u * 0.09f + v * 0.05f) * std::cos(v * 0.11f - u * 0.03f) +
                                  30.f * std::sin(u * 0.23f - v * 0.17f) +
                                  20.f * std::sin(u * 0.41f) * std::cos(v * 0.37f) +
                                  12.f * std::sin(u * 0.7f) * std::cos(v * 0.45f);
            for (int c = 0; c < 3; ++c) {
                s = s * 1664525u + 1013904223u;
                const int noise = int(s >> 29) - 3;
                im.rgba.push_back(std::uint8_t(std::clamp(int(std::lround(texture)) + 10 * c + noise, 0, 255)));
            }
            im.rgba.push_back(255);
        }
    return im;
}

// Mean |frame t at p - frame t-1 at p + pan| where p + pan is inside: the flicker along
// the camera's motion.
double panFlicker(const std::vector<std::vector<std::uint8_t>>& frames, Pan pan)
{
    double sum = 0;
    int count = 0;
    for (std::size_t t = 1; t < frames.size(); ++t)
        for (int y = std::max(0, -pan.y); y + pan.y < pan.h && y < pan.h; ++y)
            for (int x = std::max(0, -pan.x); x + pan.x < pan.w && x < pan.w; ++x)
                for (int c = 0; c < 3; ++c) {
                    sum += std::abs(int(frames[t][(std::size_t(y) * pan.w + x) * 4 + c]) -
                                    int(frames[t - 1][(std::size_t(y + pan.y) * pan.w + x + pan.x) * 4 + c]));
                    ++count;
                }
    return sum / count;
}

// The pan's flicker at steady 1 over its flicker at 0, checking each frame against the CPU filter.
double steadyPanRatio(render::Precision precision, Pan pan)
{
    auto raw = makeStylizer(precision, 0.f), steady = makeStylizer(precision, 1.f);
    std::vector<std::vector<std::uint8_t>> rawFrames, steadyFrames;
    CpuSteady cpu(1.f, pan.w, pan.h);
    for (int t = 0; t < 8; ++t) {
        render::Image a, b;
        raw->run(panFrame(t, pan).view(), {}, {}, a);
        steady->run(panFrame(t, pan).view(), {}, {}, b);
        EXPECT_LE(maxDifference(b.rgba, cpu.next(panFrame(t, pan))), 1) << "frame " << t;
        rawFrames.push_back(a.rgba);
        steadyFrames.push_back(b.rgba);
    }
    const double before = panFlicker(rawFrames, pan), after = panFlicker(steadyFrames, pan);
    EXPECT_GT(before, 2.0);
    return after / before;
}

// Followed along the motion, the texture keeps its strokes and loses most of its noise.
TEST_P(Steady, FollowsAPanningCamera)
{
    STYLIZE_REQUIRE_VULKAN();
    if (GetParam() == render::Precision::Fp16Storage && !vulkanContext()->info().fp16Storage)
        GTEST_SKIP() << "no 16-bit storage";
    EXPECT_LT(steadyPanRatio(GetParam(), {2, 1}), 0.5);
}

// A fast pan (14 pixels a frame across, 6 down, past the 2x2 level's reach) is found on
// the 4x4 means and followed as well (in a frame 480 wide: the 4x4 level reaches 16
// pixels there); only the tiles whose match would leave the frame are painted anew.
TEST_P(Steady, FollowsAFastPan)
{
    STYLIZE_REQUIRE_VULKAN();
    if (GetParam() == render::Precision::Fp16Storage && !vulkanContext()->info().fp16Storage)
        GTEST_SKIP() << "no 16-bit storage";
    EXPECT_LT(steadyPanRatio(GetParam(), {14, 6, 480, 64}), 0.5);
}

INSTANTIATE_TEST_SUITE_P(Precisions, Steady, ::testing::Values(render::Precision::Fp32, render::Precision::Fp16Storage),
                         [](const auto& info) { return std::string(render::precisionName(info.param)); });

TEST(SteadyStart, ANewSizeASceneCutOrFramesWithoutItStartAfresh)
{
    STYLIZE_REQUIRE_VULKAN();
    auto rawStylizer = makeStylizer(render::Precision::Fp32, 0.f),
         steadyStylizer = makeStylizer(render::Precision::Fp32, 1.f);
    render::Stylizer &raw = *rawStylizer, &steady = *steadyStylizer;
    const auto rawFrames = runFrames(raw, 3);
    runFrames(steady, 2);
    render::Image out;
    // Steady off for a frame, then on again: the next frame does not mix with a past it skipped.
    steady.setLook({1.f, false, 0.f, 0.f});
    steady.run(sceneFrame(5).view(), {}, {}, out);
    steady.setLook({1.f, false, 0.f, 1.f});
    steady.run(sceneFrame(2).view(), {}, {}, out);
    EXPECT_EQ(out.rgba, rawFrames[2]);
    // A scene cut (the lights go down: every level a quarter of the last frame's, at
    // least 50 levels darker) is painted anew.
    render::Image cut = sceneFrame(3);
    for (std::size_t i = 0; i < cut.rgba.size(); ++i)
        if (i % 4 != 3)
            cut.rgba[i] = std::uint8_t(cut.rgba[i] / 4);
    render::Image cutRaw;
    steady.run(cut.view(), {}, {}, out);
    raw.run(cut.view(), {}, {}, cutRaw);
    EXPECT_LE(maxDifference(out.rgba, cutRaw.rgba), 1);
    // A new processing size (a new plan): its first frame is the network's own.
    render::Image small, smallRaw;
    steady.run(sceneFrame(4).view(), {24, 16}, {}, small);
    raw.run(sceneFrame(4).view(), {24, 16}, {}, smallRaw);
    EXPECT_EQ(small.rgba, smallRaw.rgba);
}

TEST(SteadyStart, FramesInFlightMixInTheOrderTheyWereSubmitted)
{
    STYLIZE_REQUIRE_VULKAN();
    const auto expected = runFrames(*makeStylizer(render::Precision::Fp32, 0.7f), 6);
    auto pipelinedStylizer = makeStylizer(render::Precision::Fp32, 0.7f);
    render::Stylizer& pipelined = *pipelinedStylizer;
    std::deque<render::Image> outs(6);
    for (render::Image& o : outs) {
        o.width = kW, o.height = kH;
        o.rgba.resize(std::size_t(kW) * kH * 4);
    }
    std::vector<render::Image> inputs;
    for (int t = 0; t < 6; ++t)
        inputs.push_back(sceneFrame(t));
    for (int t = 0; t < 6; ++t) {
        if (pipelined.framesInFlight() == render::Stylizer::kFramesInFlight)
            pipelined.collect();
        pipelined.submit(render::frameView(inputs[t].view()), {}, render::frameView(outs[t]));
    }
    while (pipelined.framesInFlight() > 0)
        pipelined.collect();
    for (int t = 0; t < 6; ++t)
        EXPECT_EQ(outs[t].rgba, expected[t]) << "frame " << t;
    // The shared-result path, two deep, gives the same.
    auto sharedStylizer = makeStylizer(render::Precision::Fp32, 0.7f);
    render::Stylizer& shared = *sharedStylizer;
    const render::FrameGeometry geometry = render::frameView(outs[0]);
    std::vector<render::SharedFrame> results;
    for (int t = 0; t < 6; ++t) {
        if (shared.framesInFlight() == render::Stylizer::kFramesInFlight)
            results.push_back(shared.collectShared());
        shared.submitShared(render::frameView(inputs[t].view()), {}, geometry);
    }
    while (shared.framesInFlight() > 0)
        results.push_back(shared.collectShared());
    for (int t = 0; t < 6; ++t) {
        std::vector<std::uint8_t> bytes(results[t].planes[0], results[t].planes[0] + expected[t].size());
        EXPECT_EQ(bytes, expected[t]) << "shared frame " << t;
    }
}

}  // namespace
}  // namespace stylize::test
