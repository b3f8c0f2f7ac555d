// runNetwork and the image mapping on small hand-built graphs (no fixtures, no goldens).
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/reference_network.h"
#include "cpu/reference_ops.h"

namespace stylize::test {
namespace {

using cpu::Tensor;

std::vector<float> randomValues(std::size_t n, std::mt19937& rng, float lo = -1.f,
                                float hi = 1.f)
{
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v)
        x = d(rng);
    return v;
}

model::Node node(int index, model::Op op, std::vector<model::TensorId> inputs)
{
    return {"n" + std::to_string(index), std::move(op), std::move(inputs), index + 1};
}

// conv s2 (TF SAME) -> IN (2 slots) -> ReLU -> convT (TF SAME 2x) -> add input ->
// tanh -> affine, the shape of a style network in miniature, on odd sizes.
model::Model tinyNet(std::mt19937& rng)
{
    model::Model m;
    m.name = "tiny";
    m.styles = {{.name = "a"}, {.name = "b"}};
    model::Conv down{.inChannels = 3, .outChannels = 4, .kernelH = 3, .kernelW = 3, .stride = 2};
    down.padding.rule = model::Padding::Rule::TfSame;
    down.weights = randomValues(4 * 3 * 9, rng);
    model::InstanceNorm norm{.channels = 4, .epsilon = 1e-3f};
    for (int s = 0; s < 2; ++s) {
        norm.scale.push_back(randomValues(4, rng, 0.5f, 1.5f));
        norm.shift.push_back(randomValues(4, rng));
    }
    model::ConvTranspose up{.inChannels = 4, .outChannels = 3, .kernelH = 3, .kernelW = 3,
                            .stride = 2, .padTop = 0, .padBottom = 1, .padLeft = 0,
                            .padRight = 1};
    up.weights = randomValues(4 * 3 * 9, rng);
    up.bias = randomValues(3, rng);
    m.nodes = {node(0, down, {0}),
               node(1, norm, {1}),
               node(2, model::Relu{}, {2}),
               node(3, up, {3}),
               node(4, model::Upsample2x{}, {0}),  // only to make an unused-after tensor
               node(5, model::Tanh{}, {4}),
               node(6, model::Affine{.scale = 100.f, .bias = 120.f}, {6})};
    m.output = 7;
    return m;
}

TEST(ReferenceNetwork, MatchesTheOpsComposedByHand)
{
    std::mt19937 rng(1);
    const model::Model m = tinyNet(rng);
    Tensor x({3, 7, 9});
    x.data = randomValues(x.data.size(), rng);
    const std::vector<float> weights = {0.25f, 0.75f};

    const Tensor y = cpu::runNetwork(m, x, weights);
    Tensor e = cpu::conv2d(x, std::get<model::Conv>(m.nodes[0].op));
    e = cpu::relu(cpu::instanceNorm(e, std::get<model::InstanceNorm>(m.nodes[1].op), weights));
    e = cpu::convTranspose2d(e, std::get<model::ConvTranspose>(m.nodes[3].op));
    e = cpu::affine(cpu::tanh(e), {100.f, 120.f});
    ASSERT_EQ(y.shape, (model::Shape{3, 8, 10}));  // 7x9 -> 4x5 -> 8x10
    EXPECT_EQ(y.data, e.data);

    const auto all = cpu::runNetworkTensors(m, x, weights);
    ASSERT_EQ(all.size(), 8u);
    EXPECT_EQ(all[7].data, y.data);
    EXPECT_EQ(all[5].shape, (model::Shape{3, 14, 18}));
}

TEST(ReferenceNetwork, StyleWeightsBlendTheNormParameters)
{
    std::mt19937 rng(2);
    model::Model m = tinyNet(rng);
    Tensor x({3, 6, 6});
    x.data = randomValues(x.data.size(), rng);
    const std::vector<float> first = {1.f, 0.f};
    // Empty weights mean slot 0 alone.
    EXPECT_EQ(cpu::runNetwork(m, x, {}).data, cpu::runNetwork(m, x, first).data);
    const std::vector<float> second = {0.f, 1.f};
    EXPECT_NE(cpu::runNetwork(m, x, first).data, cpu::runNetwork(m, x, second).data);
    const std::vector<float> three = {0.2f, 0.3f, 0.5f};
    EXPECT_THROW(cpu::runNetwork(m, x, three), std::invalid_argument);
}

TEST(ReferenceNetwork, RejectsBadInputsWithAMessage)
{
    std::mt19937 rng(3);
    model::Model m = tinyNet(rng);
    Tensor gray({1, 6, 6});
    EXPECT_THROW(cpu::runNetwork(m, gray, {}), std::invalid_argument);
    m.output = 2;  // a 4-channel tensor
    EXPECT_THROW(cpu::runNetwork(m, Tensor({3, 6, 6}), {}), model::ModelError);

    model::Conv conv{.inChannels = 2, .outChannels = 1, .kernelH = 3, .kernelW = 3};
    conv.weights.resize(18);
    try {
        cpu::conv2d(Tensor({3, 4, 4}), conv);
        FAIL() << "a channel mismatch must throw";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("3x4x4"), std::string::npos) << e.what();
    }
}

TEST(ReferenceNetwork, ImageMappingCropsRoundsAndClamps)
{
    model::ImageMapping map;
    for (int c = 0; c < 3; ++c) {
        map.inScale[c] = 1.f / 255.f;
        map.inBias[c] = -0.5f;
        map.outScale[c] = 255.f;
        map.outBias[c] = 127.5f;
    }
    const std::vector<std::uint8_t> rgba = {0, 51, 255, 9, 10, 20, 30, 40};  // 2x1 RGBA
    const Tensor t = cpu::imageToTensor(rgba, 2, 1, cpu::PixelFormat::Rgba8, map);
    ASSERT_EQ(t.shape, (model::Shape{3, 1, 2}));
    EXPECT_FLOAT_EQ(t.at(0, 0, 0), -0.5f);
    EXPECT_FLOAT_EQ(t.at(1, 0, 0), 51.f / 255.f - 0.5f);
    EXPECT_FLOAT_EQ(t.at(2, 0, 1), 30.f / 255.f - 0.5f);
    EXPECT_THROW(cpu::imageToTensor(rgba, 2, 2, cpu::PixelFormat::Rgba8, map),
                 std::invalid_argument);

    Tensor out({3, 2, 3});  // larger than the 2x1 image: the top-left is kept
    out.at(0, 0, 0) = -1.f;          // -127.5 -> 0
    out.at(1, 0, 0) = 1.f;           // 382.5 -> 255
    out.at(2, 0, 0) = 0.5f / 255.f;  // 128 exactly
    out.at(0, 0, 1) = -1.f / 255.f;  // 126.5 -> 126 (ties to even)
    out.at(1, 0, 1) = 1.f / 255.f;   // 128.5 -> 128
    out.at(2, 0, 1) = 0.f;           // 127.5 -> 128 (ties to even)
    out.at(2, 1, 2) = 5.f;           // outside the crop
    const auto rgb = cpu::tensorToImage(out, 2, 1, cpu::PixelFormat::Rgb8, map);
    EXPECT_EQ(rgb, (std::vector<std::uint8_t>{0, 255, 128, 126, 128, 128}));
    const auto withAlpha = cpu::tensorToImage(out, 1, 1, cpu::PixelFormat::Rgba8, map);
    EXPECT_EQ(withAlpha, (std::vector<std::uint8_t>{0, 255, 128, 255}));
    EXPECT_THROW(cpu::tensorToImage(out, 4, 1, cpu::PixelFormat::Rgb8, map),
                 std::invalid_argument);
}

TEST(ReferenceOps, FoldedUpsampleEqualsExplicitUpsample)
{
    std::mt19937 rng(4);
    Tensor x({2, 3, 4});
    x.data = randomValues(x.data.size(), rng);
    model::Conv conv{.inChannels = 2, .outChannels = 3, .kernelH = 3, .kernelW = 3};
    conv.padding = {.mode = model::PadMode::Reflect, .top = 1, .bottom = 1, .left = 1, .right = 1};
    conv.weights = randomValues(2 * 3 * 9, rng);
    conv.bias = randomValues(3, rng);
    model::Conv folded = conv;
    folded.upsample2x = true;
    EXPECT_EQ(cpu::conv2d(x, folded).data, cpu::conv2d(cpu::upsample2x(x), conv).data);
}

TEST(ReferenceOps, ConvOnLargeWidthsUsesThreadsAndStaysExact)
{
    // Big enough to run on two threads: each output plane is computed independently,
    // so the result must equal the single-channel-at-a-time computation.
    std::mt19937 rng(5);
    Tensor x({16, 20, 20});
    x.data = randomValues(x.data.size(), rng);
    model::Conv conv{.inChannels = 16, .outChannels = 8, .kernelH = 3, .kernelW = 3};
    conv.padding = {.top = 1, .bottom = 1, .left = 1, .right = 1};
    conv.weights = randomValues(8 * 16 * 9, rng);
    const Tensor all = cpu::conv2d(x, conv);
    for (int oc = 0; oc < 8; ++oc) {
        model::Conv one = conv;
        one.outChannels = 1;
        one.weights.assign(conv.weights.begin() + oc * 16 * 9,
                           conv.weights.begin() + (oc + 1) * 16 * 9);
        const Tensor y = cpu::conv2d(x, one);
        ASSERT_TRUE(std::equal(y.data.begin(), y.data.end(), all.plane(oc))) << "channel " << oc;
    }
}

}  // namespace
}  // namespace stylize::test
