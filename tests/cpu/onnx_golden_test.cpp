// PyTorch TransformerNet ONNX exports on the CPU reference against torch's own output.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cpu/reference_network.h"
#include "golden_compare.h"
#include "model/loaders.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

// Fifteen convs in float32; the goldens are small random-weight nets whose outputs
// span about +-2, so the error is measured against a range of 1.
constexpr double kTolerance = 1e-4;

std::filesystem::path goldenDir() { return dataDir() / "goldens" / "transformer_net"; }

// The .onnx files live in tests/data/model (tools/models/export_transformer_net.py);
// STYLIZE_TEST_MODEL_DIR points elsewhere to try freshly exported ones.
std::filesystem::path modelFile(const std::string& relative)
{
    if (const char* env = std::getenv("STYLIZE_TEST_MODEL_DIR"); env && *env)
        return std::filesystem::path(env) / std::filesystem::path(relative).filename();
    return dataDir() / relative;
}

std::vector<std::string> goldenNames()
{
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(goldenDir(), ec))
        if (entry.path().extension() == ".json")
            names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class TransformerNetGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformerNetGolden, CpuReferenceMatchesTorch)
{
    const std::string stem = GetParam();
    std::ifstream metaFile(goldenDir() / (stem + ".json"));
    const nlohmann::json meta = nlohmann::json::parse(metaFile);
    const std::filesystem::path onnx = modelFile(meta.at("onnx"));
    if (!std::filesystem::exists(onnx))
        GTEST_SKIP() << onnx << " is missing; export it with tools/models/"
                     << "export_transformer_net.py and the arguments in " << stem << ".json";
    const model::Model net = model::loadOnnx(onnx);

    const NpyArray image = readNpy(dataDir() / meta.at("input").get<std::string>());
    const int h = int(image.shape.at(0)), w = int(image.shape.at(1));
    const std::vector<std::uint8_t> rgb(image.data.begin(), image.data.end());
    const cpu::Tensor input = cpu::imageToTensor(rgb, w, h, cpu::PixelFormat::Rgb8, net.mapping);
    cpu::Tensor out = cpu::runNetwork(net, input, {});

    // torch's output is in pixel units: compare after the model's output mapping, but
    // unclamped, as random weights put most values near zero.
    for (int c = 0; c < out.shape.c; ++c)
        for (std::size_t i = 0; i < out.planeSize(); ++i)
            out.plane(c)[i] = out.plane(c)[i] * net.mapping.outScale[c] + net.mapping.outBias[c];
    const NpyArray golden = readNpy(goldenDir() / meta.at("output").get<std::string>());
    EXPECT_TRUE(matchesGolden(stem, out, golden, kTolerance));
    const GoldenError e = goldenError(out, golden);
    std::cout << "[ golden   ] " << stem << " " << cpu::toString(out.shape) << " max abs error "
              << e.maxAbs << ", relative " << e.relative << "\n";
}

INSTANTIATE_TEST_SUITE_P(Onnx, TransformerNetGolden, ::testing::ValuesIn(goldenNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stylize::test
