// Whole networks on the GPU: every materialized tensor against the CPU reference (the
// debug check), and the full image path against PyTorch goldens.
#include <cmath>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cpu/reference_network.h"
#include "gpu_test_support.h"
#include "model/loaders.h"
#include "model/magenta_loader.h"
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

// PyTorch-exported TransformerNet ONNX files (random weights, tools/models/) on the GPU
// against torch's own float output for the same image (tests/data/goldens/transformer_net).
class TransformerNetOnGpu : public ::testing::TestWithParam<std::tuple<std::string, Precision>> {};

TEST_P(TransformerNetOnGpu, MatchesTorchGolden)
{
    STYLIZE_REQUIRE_VULKAN();
    const auto [stem, precision] = GetParam();
    std::ifstream metaFile(dataDir() / "goldens" / "transformer_net" / (stem + ".json"));
    const nlohmann::json meta = nlohmann::json::parse(metaFile);
    const model::Model net = model::loadOnnx(dataDir() / meta.at("onnx").get<std::string>());
    const NpyArray image = readNpy(dataDir() / meta.at("input").get<std::string>());  // H x W x RGB
    const NpyArray golden = readNpy(dataDir() / "goldens" / "transformer_net" / meta.at("output").get<std::string>());
    const int h = int(image.shape[0]), w = int(image.shape[1]);
    std::vector<float> input(std::size_t(3) * h * w);
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < h * w; ++i)
            input[std::size_t(c) * h * w + i] = image.data[std::size_t(i) * 3 + c] * net.mapping.inScale[c] + net.mapping.inBias[c];
    render::NetworkProbe probe(*vulkanContext(), net, h, w, precision, false);
    std::vector<float> out = probe.run(input);
    const model::Shape shape = probe.shapes()[net.output];
    ASSERT_EQ(std::int64_t(out.size()), golden.shape[0] * golden.shape[1] * golden.shape[2]);
    for (int c = 0; c < shape.c; ++c)
        for (int i = 0; i < shape.h * shape.w; ++i) {
            float& v = out[std::size_t(c) * shape.h * shape.w + i];
            v = v * net.mapping.outScale[c] + net.mapping.outBias[c];
        }
    const double err = relativeError(out, golden.data);
    double mse = 0, lo = 1e30, hi = -1e30;
    for (std::size_t i = 0; i < out.size(); ++i) {
        mse += (out[i] - golden.data[i]) * double(out[i] - golden.data[i]);
        lo = std::min(lo, double(golden.data[i]));
        hi = std::max(hi, double(golden.data[i]));
    }
    mse /= double(out.size());
    const double psnr = 10 * std::log10((hi - lo) * (hi - lo) / std::max(mse, 1e-30));
    std::cout << "[ golden   ] " << stem << " " << render::precisionName(precision) << ": relative error " << err
              << ", PSNR over the output's range " << psnr << " dB\n";
    EXPECT_LE(err, tolerance(precision));
    EXPECT_GE(psnr, 40.0);
}

INSTANTIATE_TEST_SUITE_P(Onnx, TransformerNetOnGpu,
                         ::testing::Combine(::testing::Values("transformer_small", "transformer_small_opset9",
                                                              "transformer_small_default_norm"),
                                            ::testing::Values(Precision::Fp32, Precision::Fp16Storage)),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_" + render::precisionName(std::get<1>(info.param));
                         });

// Magenta's arbitrary-style transfer network read from its TFLite file
// (model/magenta_loader), given The Starry Night's style vector, against a plain NumPy
// reading of the same file (tools/goldens/magenta_golden.py, tools/models/tflite_reference.py).
class MagentaOnGpu : public ::testing::TestWithParam<Precision> {};

TEST_P(MagentaOnGpu, TransferMatchesTheNumpyReading)
{
    STYLIZE_REQUIRE_VULKAN();
    STYLIZE_REQUIRE_FIXTURES();
    const Precision precision = GetParam();
    model::MagentaTransfer transfer =
        model::loadMagentaTransfer(fixturesDir() / "models/magenta-arbitrary/style_transfer_f16_384.tflite");
    const NpyArray vector = readNpy(dataDir() / "goldens/magenta/starry_vector.npy");
    transfer.projection.addStyle(transfer.model, vector.data, {"starry"});
    model::validate(transfer.model);
    const NpyArray image = readNpy(dataDir() / "goldens/magenta/content.npy");         // H x W x RGB, 0..255
    const NpyArray golden = readNpy(dataDir() / "goldens/magenta/transfer_fp16.npy");  // H x W x RGB, 0..1
    const model::Model& net = transfer.model;
    const int h = int(image.shape[0]), w = int(image.shape[1]);
    std::vector<float> input(std::size_t(3) * h * w);
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < h * w; ++i)
            input[std::size_t(c) * h * w + i] = image.data[std::size_t(i) * 3 + c] * net.mapping.inScale[c];
    render::NetworkProbe probe(*vulkanContext(), net, h, w, precision, false);
    const std::vector<float> out = probe.run(input);
    const model::Shape shape = probe.shapes()[net.output];
    ASSERT_EQ(shape.c, 3);
    ASSERT_EQ(shape.h, h);
    ASSERT_EQ(shape.w, w);
    double mse = 0;
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < h * w; ++i) {
            const double d = out[std::size_t(c) * h * w + i] - golden.data[std::size_t(i) * 3 + c];
            mse += d * d;
        }
    mse /= double(out.size());
    const double psnr = 10 * std::log10(1.0 / std::max(mse, 1e-30));
    std::cout << "[ golden   ] magenta starry " << render::precisionName(precision) << " " << w << "x" << h << ": PSNR "
              << psnr << " dB\n";
    EXPECT_GE(psnr, 40.0);
}

INSTANTIATE_TEST_SUITE_P(Magenta, MagentaOnGpu, ::testing::Values(Precision::Fp32, Precision::Fp16Storage),
                         [](const auto& info) { return std::string(render::precisionName(info.param)); });

}  // namespace
}  // namespace stylize::test
