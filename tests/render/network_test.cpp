// Whole networks on the GPU: every materialized tensor against the CPU reference (the
// debug check), and the full image path against PyTorch goldens.
#include <cmath>
#include <iostream>

#include "cpu/reference_network.h"
#include "gpu_test_support.h"
#include "model/loaders.h"
#include "network_probe.h"
#include "stylizer.h"
#include "support/npy.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using render::Precision;

struct NetCase {
    std::string style;
    Precision precision;
};

class EngstromOnGpu : public ::testing::TestWithParam<NetCase> {};

TEST_P(EngstromOnGpu, EveryTensorMatchesCpuReference)
{
    STYLIZE_REQUIRE_VULKAN();
    STYLIZE_REQUIRE_FIXTURES();
    const auto [style, precision] = GetParam();
    const model::Model net = model::loadEngstromCheckpoint(fixturesDir() / "models" / "engstrom-ml5" / style);
    const int h = 38, w = 45;  // odd sizes: TF-SAME asymmetric padding and the output crop
    std::mt19937 rng(7);
    const std::vector<float> input = randomValues(rng, std::size_t(3) * h * w, 0.f, 255.f);

    render::NetworkProbe probe(*vulkanContext(), net, h, w, precision);
    probe.run(input);
    cpu::Tensor in(model::Shape{3, h, w});
    in.data = input;
    const std::vector<cpu::Tensor> expected = cpu::runNetworkTensors(net, in, {});
    int checked = 0;
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
        const model::TensorId t = net.nodes[i].output;
        std::optional<std::vector<float>> gpu = probe.tensor(t);
        if (!gpu)
            continue;  // fused away
        ++checked;
        // The CPU runs on its own previous outputs, so errors accumulate over layers:
        // compare against a looser bound than a single op, still far below visible.
        const double err = relativeError(*gpu, expected[t].data);
        ASSERT_LE(err, tolerance(precision) * 20)
            << style << " (" << render::precisionName(precision) << "): node " << i << " '" << net.nodes[i].name
            << "' " << cpu::toString(expected[t].shape) << " relative error " << err;
    }
    EXPECT_GT(checked, 10);
}

TEST_P(EngstromOnGpu, ImagePathMatchesTorchGolden)
{
    STYLIZE_REQUIRE_VULKAN();
    STYLIZE_REQUIRE_FIXTURES();
    const auto [style, precision] = GetParam();
    model::Model net = model::loadEngstromCheckpoint(fixturesDir() / "models" / "engstrom-ml5" / style);
    const NpyArray image = readNpy(dataDir() / "goldens" / "engstrom" / "input_70x54.npy");  // H x W x RGB
    const NpyArray golden = readNpy(dataDir() / "goldens" / "engstrom" / (style + ".npy"));  // C x H x W
    const int h = int(image.shape[0]), w = int(image.shape[1]);
    render::Image frame;
    frame.width = w;
    frame.height = h;
    for (std::size_t i = 0; i < image.data.size(); i += 3)
        frame.rgba.insert(frame.rgba.end(), {std::uint8_t(image.data[i]), std::uint8_t(image.data[i + 1]),
                                             std::uint8_t(image.data[i + 2]), 255});

    render::StylizerOptions options;
    options.precision = precision;
    render::Stylizer stylizer(*vulkanContext(), std::move(net), options);
    render::Image result;
    stylizer.run(frame.view(), {}, {}, result);
    ASSERT_EQ(result.width, w);
    ASSERT_EQ(result.height, h);
    const int gh = int(golden.shape[1]), gw = int(golden.shape[2]);
    double mse = 0;
    int worst = 0;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) {
                const float g = std::clamp(golden.data[(std::size_t(c) * gh + y) * gw + x], 0.f, 255.f);
                const int got = result.rgba[(std::size_t(y) * w + x) * 4 + c];
                const double d = got - g;
                mse += d * d;
                worst = std::max(worst, int(std::lround(std::abs(d))));
            }
    mse /= double(w) * h * 3;
    const double psnr = 10 * std::log10(255.0 * 255.0 / std::max(mse, 1e-12));
    std::cout << "[ golden   ] " << style << " " << render::precisionName(precision) << " " << w << "x" << h
              << ": PSNR " << psnr << " dB, worst pixel " << worst << " levels\n";
    EXPECT_GE(psnr, precision == Precision::Fp32 ? 50.0 : 40.0);
}

INSTANTIATE_TEST_SUITE_P(Styles, EngstromOnGpu,
                         ::testing::Values(NetCase{"wave", Precision::Fp32}, NetCase{"udnie", Precision::Fp32},
                                           NetCase{"wave", Precision::Fp16Storage},
                                           NetCase{"udnie", Precision::Fp16Storage}),
                         [](const auto& info) {
                             return info.param.style + "_" + render::precisionName(info.param.precision);
                         });

}  // namespace
}  // namespace stylize::test
