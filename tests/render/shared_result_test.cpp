// Stylizer::runShared: results in memory the caller keeps. Where the device imports host
// memory the shader writes into it directly; buffers are reused only once released, a
// held frame never changes, and the memory outlives the stylizer. Stylizer::submit and
// collect: frames in flight give what run() gives; submitShared and collectShared what
// runShared gives, into memory held frames keep. StylizerPlan: what plans keep.
#include <cstring>
#include <deque>
#include <stdexcept>
#include <thread>
#include <string>
#include <chrono>

#include "frame_layout.h"
#include "gpu_test_support.h"
#include "stylizer.h"
#include "vk/error.h"
#include "vk/pipeline_cache.h"

namespace stylize::test {
namespace {

using render::PixelLayout;

model::Model smallNetwork()
{
    std::mt19937 rng(7);
    model::Model m;
    m.name = "small";
    m.styles.push_back({"small"});
    m.nodes.push_back({"conv", randomConv(rng, 3, 3, 3, 1, {model::Padding::Rule::Explicit, model::PadMode::Reflect, 1, 1, 1, 1}), {0}, 1});
    m.nodes.push_back({"tanh", model::Tanh{}, {1}, 2});
    m.output = 2;
    for (int c = 0; c < 3; ++c) {
        m.mapping.inScale[c] = 1.f / 127.5f, m.mapping.inBias[c] = -1.f;
        m.mapping.outScale[c] = 127.5f, m.mapping.outBias[c] = 127.5f;
    }
    return m;
}

// The small network with an instance norm between its conv and tanh.
model::Model withInstanceNorm(model::Model m)
{
    model::InstanceNorm norm;
    norm.channels = 3;
    norm.scale = {{1.f, 1.f, 1.f}};
    norm.shift = {{0.f, 0.f, 0.f}};
    m.nodes.insert(m.nodes.begin() + 1, model::Node{"norm", norm, {1}, 2});
    m.nodes.back().inputs = {2};
    m.nodes.back().output = 3;
    m.output = 3;
    return m;
}

render::Image randomImage(std::mt19937& rng, int w, int h)
{
    render::Image image;
    image.width = w, image.height = h;
    image.rgba.resize(std::size_t(w) * h * 4);
    std::uniform_int_distribution<int> byte(0, 255);
    for (auto& v : image.rgba)
        v = std::uint8_t(byte(rng));
    return image;
}

render::FrameGeometry rgba(int w, int h)
{
    render::FrameGeometry g;
    g.layout = PixelLayout::Rgba8;
    g.width = w, g.height = h;
    return g;
}

std::vector<std::uint8_t> pixels(const render::SharedFrame& f)
{
    std::vector<std::uint8_t> out;
    for (int p = 0; p < f.planeCount(); ++p)
        for (int y = 0; y < f.planeRows(p); ++y)
            out.insert(out.end(), f.planes[p] + std::size_t(y) * f.strides[p],
                       f.planes[p] + std::size_t(y) * f.strides[p] + f.planeRowBytes(p));
    return out;
}

TEST(SharedResult, MatchesRunInEveryOutputLayout)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(1);
    const render::Image input = randomImage(rng, 37, 22);
    render::Stylizer stylizer(*vulkanContext(), smallNetwork());
    for (PixelLayout layout : {PixelLayout::Rgba8, PixelLayout::Yuv420p, PixelLayout::Nv12}) {
        SCOPED_TRACE(int(layout));
        render::FrameGeometry g = rgba(41, 25);  // resampled: output size differs from the input's
        g.layout = layout;
        const render::GpuFramePlanes planes = render::gpuFramePlanes(layout, g.width, g.height);
        std::vector<std::uint8_t> expected(planes.bytes);
        render::MutableFrameView out;
        static_cast<render::FrameGeometry&>(out) = g;
        for (int p = 0; p < out.planeCount(); ++p) {
            out.planes[p] = expected.data() + planes.offset[p];
            out.strides[p] = int(planes.stride[p]);
        }
        stylizer.run(render::frameView(input.view()), {}, out);
        const render::SharedFrame shared = stylizer.runShared(render::frameView(input.view()), {}, g);
        EXPECT_EQ(shared.deviceWritten, vulkanContext()->info().hostImportAlignment != 0);
        EXPECT_EQ(shared.width, 41);
        EXPECT_EQ(shared.layout, layout);
        std::vector<std::uint8_t> tight;
        for (int p = 0; p < out.planeCount(); ++p)
            for (int y = 0; y < out.planeRows(p); ++y)
                tight.insert(tight.end(), out.planes[p] + std::size_t(y) * out.strides[p],
                             out.planes[p] + std::size_t(y) * out.strides[p] + out.planeRowBytes(p));
        EXPECT_EQ(pixels(shared), tight);
    }
}

TEST(SharedResult, HeldFramesNeverChangeAndReleasedBuffersAreReused)
{
    STYLIZE_REQUIRE_VULKAN();
    if (vulkanContext()->info().hostImportAlignment == 0)
        GTEST_SKIP() << "device '" << vulkanContext()->info().name << "' cannot import host memory";
    std::mt19937 rng(2);
    render::Stylizer stylizer(*vulkanContext(), smallNetwork());
    auto next = [&] {
        const render::Image input = randomImage(rng, 24, 16);
        return stylizer.runShared(render::frameView(input.view()), {}, rgba(24, 16));
    };
    // Hold more frames than there are in-place buffers: the extra ones are copies, and
    // none of the held frames is overwritten by the runs after it.
    std::vector<render::SharedFrame> held;
    std::vector<std::vector<std::uint8_t>> seen;
    for (int i = 0; i < 6; ++i) {
        held.push_back(next());
        seen.push_back(pixels(held.back()));
    }
    int inPlace = 0;
    for (const auto& f : held)
        inPlace += f.deviceWritten;
    EXPECT_GE(inPlace, 2);
    EXPECT_LT(inPlace, 6);
    EXPECT_FALSE(held.back().deviceWritten);
    for (std::size_t i = 0; i < held.size(); ++i)
        EXPECT_EQ(pixels(held[i]), seen[i]) << "held frame " << i << " changed";

    // Released in-place memory is written again, and only that: the view's steady state.
    const std::uint8_t* released = held[1].planes[0];
    held.erase(held.begin() + 1);
    seen.erase(seen.begin() + 1);
    const render::SharedFrame again = next();
    EXPECT_TRUE(again.deviceWritten);
    EXPECT_EQ(again.planes[0], released);
    for (std::size_t i = 0; i < held.size(); ++i)
        EXPECT_EQ(pixels(held[i]), seen[i]) << "held frame " << i << " changed";
}

TEST(SharedResult, MemoryOutlivesTheStylizer)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(3);
    const render::Image input = randomImage(rng, 20, 12);
    render::SharedFrame kept;
    std::vector<std::uint8_t> expected;
    {
        render::Stylizer stylizer(*vulkanContext(), smallNetwork());
        kept = stylizer.runShared(render::frameView(input.view()), {}, rgba(20, 12));
        expected = pixels(kept);
        // A new size rebuilds the plan, freeing its buffers, while `kept` is held.
        stylizer.runShared(render::frameView(input.view()), {}, rgba(30, 18));
        EXPECT_EQ(pixels(kept), expected);
    }
    EXPECT_EQ(pixels(kept), expected);
}

TEST(StylizerPlan, PrepareBuildsWhatRunNeeds)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(4);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    render::Stylizer stylizer(*vulkanContext(), smallNetwork());
    EXPECT_TRUE(stylizer.needsPlan(frame, {}, rgba(32, 20)));
    stylizer.prepare(frame, {}, rgba(32, 20));
    EXPECT_FALSE(stylizer.needsPlan(frame, {}, rgba(32, 20)));
    EXPECT_FALSE(stylizer.needsPlan(frame, {32, 20}, rgba(32, 20)));  // empty = the frame's size
    EXPECT_TRUE(stylizer.needsPlan(frame, {16, 12}, rgba(32, 20)));
    EXPECT_TRUE(stylizer.needsPlan(frame, {}, rgba(40, 20)));
    const render::SharedFrame prepared = stylizer.runShared(frame, {}, rgba(32, 20));
    render::Stylizer fresh(*vulkanContext(), smallNetwork());
    EXPECT_EQ(pixels(prepared), pixels(fresh.runShared(frame, {}, rgba(32, 20))));
}

TEST(StylizerPlan, ANewSizeCompilesNothingNew)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(5);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    render::Stylizer stylizer(*vulkanContext(), smallNetwork());
    const render::SharedFrame first = stylizer.runShared(frame, {}, rgba(32, 20));
    const std::size_t atFrameSize = stylizer.pipelineCount();
    EXPECT_GT(atFrameSize, 0u);
    // The adaptive brush: other processing sizes. The network's pipelines are shared by
    // every plan; only the resampling input/output ops may add a variant per scale ratio.
    const render::Size sizes[] = {{20, 12}, {16, 12}, {24, 16}};
    for (const render::Size processing : sizes)
        stylizer.runShared(frame, processing, rgba(32, 20));
    const std::size_t afterSizes = stylizer.pipelineCount();
    EXPECT_LE(afterSizes, atFrameSize + 2 * std::size(sizes));
    // Back to sizes seen before: new plans, nothing compiled.
    const std::uint64_t compiled = vk::PipelineCache::builtInProcess();
    for (const render::Size processing : sizes) {
        stylizer.runShared(frame, processing, rgba(32, 20));
        EXPECT_EQ(vk::PipelineCache::builtInProcess(), compiled) << processing.width << "x" << processing.height;
    }
    EXPECT_EQ(pixels(stylizer.runShared(frame, {}, rgba(32, 20))), pixels(first));
    EXPECT_EQ(vk::PipelineCache::builtInProcess(), compiled);
    EXPECT_EQ(stylizer.pipelineCount(), afterSizes);
}

TEST(StylizerPlan, ANewSizeUploadsNoWeights)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(7);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    const model::Model model = smallNetwork();
    std::size_t convolutions = 0;
    for (const model::Node& node : model.nodes)
        convolutions +=
            std::holds_alternative<model::Conv>(node.op) || std::holds_alternative<model::ConvTranspose>(node.op);
    render::Stylizer stylizer(*vulkanContext(), model);
    stylizer.runShared(frame, {}, rgba(32, 20));
    EXPECT_EQ(stylizer.weightUploads(), convolutions);
    const std::uint64_t bytesAtFrameSize = stylizer.deviceBytes();
    // The adaptive brush's sizes: new plans on the packed weights of the first.
    for (const render::Size processing : {render::Size{20, 12}, render::Size{16, 12}, render::Size{24, 16}}) {
        const std::vector<std::uint8_t> got = pixels(stylizer.runShared(frame, processing, rgba(32, 20)));
        EXPECT_EQ(stylizer.weightUploads(), convolutions) << processing.width << "x" << processing.height;
        render::Stylizer fresh(*vulkanContext(), model);
        EXPECT_EQ(got, pixels(fresh.runShared(frame, processing, rgba(32, 20))))
            << processing.width << "x" << processing.height;
    }
    EXPECT_EQ(pixels(stylizer.runShared(frame, {}, rgba(32, 20))), pixels(render::Stylizer(*vulkanContext(), model)
                                                                               .runShared(frame, {}, rgba(32, 20))));
    EXPECT_EQ(stylizer.deviceBytes(), bytesAtFrameSize);
}

TEST(StylizerPlan, StylizersSharingPipelinesCompileOnce)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(6);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    // Another model with the same layers (the app's picture styles: a slot added makes a
    // new model): the second stylizer reuses every pipeline of the first.
    model::Model other = smallNetwork();
    std::get<model::Conv>(other.nodes[0].op).bias[0] += 0.5f;
    render::Stylizer alone(*vulkanContext(), other);
    const std::vector<std::uint8_t> expected = pixels(alone.runShared(frame, {}, rgba(32, 20)));

    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    options.pipelines = render::Stylizer::makePipelineCache(*vulkanContext(), render::Precision::Fp32);
    render::Stylizer first(*vulkanContext(), smallNetwork(), options);
    const std::vector<std::uint8_t> firstPixels = pixels(first.runShared(frame, {}, rgba(32, 20)));
    const std::uint64_t compiled = vk::PipelineCache::builtInProcess();
    render::Stylizer second(*vulkanContext(), other, options);
    const std::vector<std::uint8_t> secondPixels = pixels(second.runShared(frame, {}, rgba(32, 20)));
    EXPECT_EQ(vk::PipelineCache::builtInProcess(), compiled);
    EXPECT_NE(secondPixels, firstPixels);
    if (alone.precision() == render::Precision::Fp32) {
        EXPECT_EQ(secondPixels, expected);
    }

    if (vulkanContext()->info().fp16Storage) {
        render::StylizerOptions wrong = options;
        wrong.precision = render::Precision::Fp16Storage;
        EXPECT_THROW(render::Stylizer(*vulkanContext(), other, wrong), std::invalid_argument);
    }
}

// Closing the app during a cold plan build: a cancelled cache compiles nothing more, so
// the build throws vk::Cancelled at its next new pipeline; pipelines it has stay usable.
TEST(StylizerPlan, ACancelledCacheStopsTheBuildAtItsNextCompile)
{
    STYLIZE_REQUIRE_VULKAN();
    std::mt19937 rng(7);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    options.pipelines = render::Stylizer::makePipelineCache(*vulkanContext(), render::Precision::Fp32);
    render::Stylizer warm(*vulkanContext(), smallNetwork(), options);
    const std::vector<std::uint8_t> before = pixels(warm.runShared(frame, {}, rgba(32, 20)));

    options.pipelines->cancel();
    const std::uint64_t compiled = vk::PipelineCache::builtInProcess();
    // Everything this size needs is built: it still runs, and a new plan of the same
    // network (another model object) builds from the cache without compiling.
    EXPECT_EQ(pixels(warm.runShared(frame, {}, rgba(32, 20))), before);
    render::Stylizer again(*vulkanContext(), smallNetwork(), options);
    EXPECT_EQ(pixels(again.runShared(frame, {}, rgba(32, 20))), before);
    // A network with a layer the cache has not seen (an instance norm) needs a compile: refused.
    render::Stylizer cold(*vulkanContext(), withInstanceNorm(smallNetwork()), options);
    EXPECT_THROW(cold.prepare(frame, {}, rgba(32, 20)), vk::Cancelled);
    EXPECT_EQ(vk::PipelineCache::builtInProcess(), compiled);
}

// Lavapipe compiles at a pipeline's first dispatch: a new plan's first run there goes op
// by op, and a cancel between two ops stops it before the next compile (closing the app
// during a cold start waits one compile, not the network's).
TEST(StylizerPlan, ACancelledCacheStopsACpuDriversFirstRunBetweenOps)
{
    STYLIZE_REQUIRE_VULKAN();
    if (vulkanContext()->info().type != VK_PHYSICAL_DEVICE_TYPE_CPU)
        GTEST_SKIP() << "GPU drivers compile when a pipeline is created (the test above)";
    std::mt19937 rng(7);
    const render::Image input = randomImage(rng, 32, 20);
    const render::FrameView frame = render::frameView(input.view());
    const model::Model deeper = withInstanceNorm(smallNetwork());  // five steps with the frame ops

    render::StylizerOptions options;
    options.precision = render::Precision::Fp32;
    options.pipelines = render::Stylizer::makePipelineCache(*vulkanContext(), render::Precision::Fp32);
    std::vector<std::size_t> done;
    std::size_t total = 0;
    options.warmUpProgress = [&](std::size_t d, std::size_t t) {
        done.push_back(d);
        total = t;
        if (d == 2)
            options.pipelines->cancel();  // as the window closes
    };
    render::Stylizer cold(*vulkanContext(), deeper, options);
    EXPECT_THROW(cold.prepare(frame, {}, rgba(32, 20)), vk::Cancelled);
    EXPECT_EQ(done, (std::vector<std::size_t>{1, 2}));  // stopped before the third op's compile
    EXPECT_GE(total, 5u);
    EXPECT_TRUE(cold.needsPlan(frame, {}, rgba(32, 20)));  // the unfinished plan is gone

    // Uncancelled, the op-by-op first run gives what a second run of the plan gives.
    render::StylizerOptions fresh;
    fresh.precision = render::Precision::Fp32;
    std::vector<std::size_t> steps;
    fresh.warmUpProgress = [&](std::size_t d, std::size_t) { steps.push_back(d); };
    render::Stylizer warm(*vulkanContext(), deeper, fresh);
    const std::vector<std::uint8_t> first = pixels(warm.runShared(frame, {}, rgba(32, 20)));
    EXPECT_EQ(steps.size(), total);
    EXPECT_EQ(pixels(warm.runShared(frame, {}, rgba(32, 20))), first);
    // Another processing size: the network's pipelines ran already, the resampling frame
    // ops compile a variant for the new ratio (StylizerPlan.ANewSizeCompilesNothingNew).
    steps.clear();
    warm.runShared(frame, {16, 12}, rgba(32, 20));
    EXPECT_FALSE(steps.empty());
    EXPECT_LE(steps.size(), 2u);
    // Back to sizes seen before: new plans whose pipelines all ran, nothing reported.
    steps.clear();
    EXPECT_EQ(pixels(warm.runShared(frame, {}, rgba(32, 20))), first);
    warm.runShared(frame, {16, 12}, rgba(32, 20));
    EXPECT_TRUE(steps.empty());
}

// A frame's planes in a buffer of its own (the caller's memory for run() and collect()).
struct OwnedFrame {
    explicit OwnedFrame(const render::FrameGeometry& g)
    {
        const render::GpuFramePlanes planes = render::gpuFramePlanes(g.layout, g.width, g.height);
        bytes.assign(planes.bytes, 0);
        static_cast<render::FrameGeometry&>(view) = g;
        for (int p = 0; p < view.planeCount(); ++p) {
            view.planes[p] = bytes.data() + planes.offset[p];
            view.strides[p] = int(planes.stride[p]);
        }
    }
    OwnedFrame(const OwnedFrame&) = delete;  // the view points into bytes
    std::vector<std::uint8_t> bytes;
    render::MutableFrameView view;
};

// The frames-in-flight tests' inputs (37x22) and output: 41x25, BT.709 limited range.
std::vector<render::Image> flightInputs(unsigned seed, int count)
{
    std::mt19937 rng(seed);
    std::vector<render::Image> inputs;
    for (int i = 0; i < count; ++i)
        inputs.push_back(randomImage(rng, 37, 22));
    return inputs;
}

render::FrameGeometry flightOutput(PixelLayout layout)
{
    render::FrameGeometry g = rgba(41, 25);
    g.layout = layout;
    g.color = {render::ColorMatrix::Bt709, render::ColorRange::Limited};
    return g;
}

TEST(FramesInFlight, TwoSubmittedGiveWhatRunGivesFrameByFrame)
{
    STYLIZE_REQUIRE_VULKAN();
    const std::vector<render::Image> inputs = flightInputs(8, 5);
    for (PixelLayout layout : {PixelLayout::Rgba8, PixelLayout::Yuv420p}) {
        SCOPED_TRACE(int(layout));
        const render::FrameGeometry g = flightOutput(layout);
        render::Stylizer one(*vulkanContext(), smallNetwork());
        std::vector<std::vector<std::uint8_t>> expected;
        for (const render::Image& in : inputs) {
            OwnedFrame out(g);
            one.run(render::frameView(in.view()), {32, 20}, out.view);
            expected.push_back(out.bytes);
        }
        // Two in flight: submit the next before collecting the one before it.
        render::Stylizer pipelined(*vulkanContext(), smallNetwork());
        std::deque<OwnedFrame> outs;
        for (std::size_t i = 0; i < inputs.size(); ++i)
            outs.emplace_back(g);
        std::size_t collected = 0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (pipelined.framesInFlight() == render::Stylizer::kFramesInFlight) {
                pipelined.collect();
                ++collected;
            }
            pipelined.submit(render::frameView(inputs[i].view()), {32, 20}, outs[i].view);
        }
        EXPECT_EQ(pipelined.framesInFlight(), 2u);
        EXPECT_THROW(pipelined.submit(render::frameView(inputs[0].view()), {32, 20}, outs[0].view),
                     std::logic_error);
        // A new size would drop the submitted frames' plan: refused.
        OwnedFrame other(rgba(20, 12));
        EXPECT_THROW(pipelined.run(render::frameView(inputs[0].view()), {}, other.view), std::logic_error);
        while (pipelined.framesInFlight() > 0) {
            pipelined.collect();
            ++collected;
        }
        EXPECT_EQ(collected, inputs.size());
        EXPECT_THROW(pipelined.collect(), std::logic_error);
        for (std::size_t i = 0; i < inputs.size(); ++i)
            EXPECT_EQ(outs[i].bytes, expected[i]) << "frame " << i;
        // run() between flights shares the network's buffers and stays correct.
        OwnedFrame between(g), last(g);
        pipelined.submit(render::frameView(inputs[3].view()), {32, 20}, last.view);
        pipelined.run(render::frameView(inputs[2].view()), {32, 20}, between.view);
        pipelined.collect();
        EXPECT_EQ(between.bytes, expected[2]);
        EXPECT_EQ(last.bytes, expected[3]);
    }
}

TEST(FramesInFlight, SharedTwoDeepGiveWhatRunSharedGivesAndHeldFramesStay)
{
    STYLIZE_REQUIRE_VULKAN();
    const bool imports = vulkanContext()->info().hostImportAlignment != 0;
    const std::vector<render::Image> inputs = flightInputs(9, 10);
    for (PixelLayout layout : {PixelLayout::Rgba8, PixelLayout::Yuv420p}) {
        SCOPED_TRACE(int(layout));
        const render::FrameGeometry g = flightOutput(layout);
        // Half strength: the output mixes in each frame's own original, read from the
        // flight's frame buffer.
        const render::OutputLook look{0.5f, true};
        render::Stylizer one(*vulkanContext(), smallNetwork());
        one.setLook(look);
        std::vector<std::vector<std::uint8_t>> expected;
        for (const render::Image& in : inputs)
            expected.push_back(pixels(one.runShared(render::frameView(in.view()), {32, 20}, g)));
        // Two in flight, every collected frame held (the view keeps frames a while): more
        // than the in-place buffers, so the last ones come as copies.
        render::Stylizer pipelined(*vulkanContext(), smallNetwork());
        pipelined.setLook(look);
        std::vector<render::SharedFrame> held;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (pipelined.framesInFlight() == render::Stylizer::kFramesInFlight)
                held.push_back(pipelined.collectShared());
            pipelined.submitShared(render::frameView(inputs[i].view()), {32, 20}, g);
        }
        EXPECT_THROW(pipelined.submitShared(render::frameView(inputs[0].view()), {32, 20}, g), std::logic_error);
        // Collected by the other function: refused, and the frame stays collectable.
        EXPECT_THROW(pipelined.collect(), std::logic_error);
        while (pipelined.framesInFlight() > 0)
            held.push_back(pipelined.collectShared());
        EXPECT_THROW(pipelined.collectShared(), std::logic_error);
        ASSERT_EQ(held.size(), inputs.size());
        int inPlace = 0;
        for (std::size_t i = 0; i < held.size(); ++i) {
            EXPECT_EQ(held[i].layout, layout);
            EXPECT_EQ(held[i].width, 41);
            EXPECT_EQ(pixels(held[i]), expected[i]) << "frame " << i;
            inPlace += held[i].deviceWritten;
        }
        if (imports) {
            EXPECT_GE(inPlace, 4);  // each flight writes in place into buffers of its own
            EXPECT_LT(inPlace, int(held.size()));
            EXPECT_FALSE(held.back().deviceWritten);
        } else {
            EXPECT_EQ(inPlace, 0);
        }
        // Released buffers are written in place again, and held ones never change.
        const std::vector<std::uint8_t> first = pixels(held[0]);
        held.erase(held.begin() + 1, held.begin() + 4);
        pipelined.submitShared(render::frameView(inputs[5].view()), {32, 20}, g);
        pipelined.submitShared(render::frameView(inputs[6].view()), {32, 20}, g);
        const render::SharedFrame a = pipelined.collectShared();
        // runShared between flights shares the network's buffers and stays correct.
        const render::SharedFrame between = pipelined.runShared(render::frameView(inputs[7].view()), {32, 20}, g);
        const render::SharedFrame b = pipelined.collectShared();
        EXPECT_EQ(pixels(a), expected[5]);
        EXPECT_EQ(pixels(between), expected[7]);
        EXPECT_EQ(pixels(b), expected[6]);
        if (imports) {
            EXPECT_TRUE(a.deviceWritten && b.deviceWritten);
        }
        EXPECT_EQ(pixels(held[0]), first);
        // A frame given to submit() is not collectShared()'s.
        OwnedFrame out(g);
        pipelined.submit(render::frameView(inputs[8].view()), {32, 20}, out.view);
        EXPECT_THROW(pipelined.collectShared(), std::logic_error);
        pipelined.collect();
    }
}

// A frame whose wait times out is lost, but not its flight or its result slot: once the
// device has finished it they serve again, so the stylizer goes on writing in place
// (more timeouts than a flight has slots would otherwise leave only copies).
TEST(FramesInFlight, ATimedOutFrameGivesItsFlightAndSlotBackOnceTheDeviceFinishes)
{
    STYLIZE_REQUIRE_VULKAN();
    if (vulkanContext()->info().hostImportAlignment == 0)
        GTEST_SKIP() << "the device does not import host memory: no result slots";
    std::mt19937 rng(11);
    const render::Image in = randomImage(rng, 384, 256);
    const render::FrameView frame = render::frameView(in.view());
    const render::FrameGeometry g = rgba(384, 256);
    render::Stylizer reference(*vulkanContext(), withInstanceNorm(smallNetwork()));
    const std::vector<std::uint8_t> expected = pixels(reference.runShared(frame, {}, g));

    render::Stylizer stylizer(*vulkanContext(), withInstanceNorm(smallNetwork()));
    stylizer.prepare(frame, {}, g);  // the plan and its compiles, without a deadline
    const auto waitIdle = [&] {
        for (int i = 0; i < 2000 && stylizer.busy(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ASSERT_FALSE(stylizer.busy());
    };
    stylizer.setFrameTimeout(std::chrono::milliseconds(0));  // a wait that does not wait
    int timeouts = 0;
    for (int i = 0; i < 40 && timeouts < 6; ++i) {  // more than a flight's four slots
        stylizer.submitShared(frame, {}, g);
        try {
            static_cast<void>(stylizer.collectShared());
        } catch (const vk::VulkanError& e) {
            EXPECT_NE(std::string(e.what()).find("did not finish a frame"), std::string::npos) << e.what();
            ++timeouts;
        }
        EXPECT_EQ(stylizer.framesInFlight(), 0u);
        waitIdle();
    }
    ASSERT_GE(timeouts, 6) << "the device finished every frame at once: nothing timed out";
    // Into caller memory too: the lost frame's flight serves the next one.
    render::Image target;
    target.width = 384, target.height = 256;
    target.rgba.resize(std::size_t(384) * 256 * 4);
    stylizer.submit(frame, {}, render::frameView(target));
    EXPECT_THROW(stylizer.collect(), vk::VulkanError);
    waitIdle();

    stylizer.setFrameTimeout(std::chrono::seconds(60));
    for (int i = 0; i < 3; ++i) {
        stylizer.submitShared(frame, {}, g);
        const render::SharedFrame out = stylizer.collectShared();
        EXPECT_TRUE(out.deviceWritten) << "frame " << i << ": a slot, not a copy";
        EXPECT_EQ(pixels(out), expected) << "frame " << i;
    }
}

}  // namespace
}  // namespace stylize::test
