// Whole Engstrom networks (wave, udnie) on the CPU reference against the PyTorch reference.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "cpu/reference_network.h"
#include "golden_compare.h"
#include "model/loaders.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

// Twenty layers of float32 accumulation, each renormalised by instance norm, in a
// different order than torch's: errors reach a few 1e-4 of a pixel level, far below
// the 0.5 that would change a rounded pixel more than once in a while.
constexpr double kTolerance = 1e-4;

std::filesystem::path goldenDir() { return dataDir() / "goldens" / "engstrom"; }

// Image-space values (what tensorToImage rounds): the model's output mapping, clamped.
cpu::Tensor toPixels(cpu::Tensor t, const model::ImageMapping& m)
{
    for (int c = 0; c < t.shape.c; ++c) {
        float* p = t.plane(c);
        for (std::size_t i = 0; i < t.planeSize(); ++i)
            p[i] = std::clamp(p[i] * m.outScale[c] + m.outBias[c], 0.f, 255.f);
    }
    return t;
}

class EngstromGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(EngstromGolden, CpuReferenceMatchesTorch)
{
    STYLIZE_REQUIRE_FIXTURES();
    const std::string style = GetParam();
    const model::Model net =
        model::loadEngstromCheckpoint(fixturesDir() / "models" / "engstrom-ml5" / style);

    const NpyArray image = readNpy(goldenDir() / "input_70x54.npy");  // H x W x RGB
    ASSERT_EQ(image.shape.size(), 3u);
    const int h = int(image.shape[0]), w = int(image.shape[1]);
    std::vector<std::uint8_t> rgb(image.data.begin(), image.data.end());
    const cpu::Tensor input =
        cpu::imageToTensor(rgb, w, h, cpu::PixelFormat::Rgb8, net.mapping);

    const cpu::Tensor out = cpu::runNetwork(net, input, {});
    // The golden is torch's raw tanh * 150 + 127.5; compare both in clamped pixel units.
    NpyArray golden = readNpy(goldenDir() / (style + ".npy"));
    for (float& v : golden.data)
        v = std::clamp(v, 0.f, 255.f);
    const cpu::Tensor pixels = toPixels(out, net.mapping);
    EXPECT_TRUE(matchesGolden(style, pixels, golden, kTolerance));
    const GoldenError e = goldenError(pixels, golden);
    std::cout << "[ golden   ] engstrom " << style << " " << cpu::toString(out.shape)
              << " max abs error " << e.maxAbs << " (pixel levels), relative " << e.relative
              << "\n";

    // The 8-bit image: cropped to the input size, rounded; at most one level off where
    // a value sits on a rounding boundary.
    const auto image8 = cpu::tensorToImage(out, w, h, cpu::PixelFormat::Rgb8, net.mapping);
    const cpu::Tensor g = toTensor(golden);
    int worst = 0;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c) {
                const int expected = int(std::nearbyint(g.at(c, y, x)));
                const int got = image8[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * 3 +
                                       std::size_t(c)];
                worst = std::max(worst, std::abs(got - expected));
            }
    EXPECT_LE(worst, 1) << style << ": 8-bit output differs by " << worst << " levels";
}

INSTANTIATE_TEST_SUITE_P(Styles, EngstromGolden, ::testing::Values("wave", "udnie"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stylize::test
