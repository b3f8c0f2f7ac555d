// Magenta's style predictor on the CPU (cpu/style_predictor) against the NumPy reading of
// the same file (tools/goldens/magenta_golden.py) and against Arm NN's CpuRef backend
// (tools/goldens/predictor_armnn_golden.py), on a formula pattern all make without
// resampling.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <iostream>

#include "cpu/style_predictor.h"
#include "support/npy.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

double cosine(const std::vector<float>& a, const std::vector<float>& b)
{
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
    return ab / std::sqrt(aa * bb);
}

double maxAbs(const std::vector<float>& a, const std::vector<float>& b)
{
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        m = std::max(m, double(std::abs(a[i] - b[i])));
    return m;
}

std::vector<float> pattern256()
{
    std::vector<float> pattern(256 * 256 * 3);
    for (int y = 0; y < 256; ++y)
        for (int x = 0; x < 256; ++x) {
            float* p = &pattern[(std::size_t(y) * 256 + x) * 3];
            p[0] = x / 255.f, p[1] = y / 255.f, p[2] = float((x * y) % 256) / 255.f;
        }
    return pattern;
}

// Both round every activation to its int8 grid; a sum in another order can land on the
// other side of a rounding boundary, and that step propagates: agreement to about one
// int8 step of the output, not to float precision.
void expectMatches(const char* reference, const char* golden)
{
    const cpu::StylePredictor predictor(fixturesDir() / "models/magenta-arbitrary/style_predict_quantized_256.tflite");
    ASSERT_EQ(predictor.inputSize(), 256);
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<float> v = predictor.predictResized(pattern256());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const NpyArray expected = readNpy(dataDir() / "goldens/magenta" / golden);
    ASSERT_EQ(v.size(), expected.data.size());
    std::cout << "[ predictor ] pattern vs " << reference << ": cosine " << cosine(v, expected.data)
              << ", max |diff| " << maxAbs(v, expected.data) << " in " << ms << " ms\n";
    EXPECT_GT(cosine(v, expected.data), 0.9995);
    EXPECT_LT(maxAbs(v, expected.data), 0.05);
}

TEST(StylePredictor, MatchesTheNumpyReadingOnAPattern)
{
    STYLIZE_REQUIRE_FIXTURES();
    expectMatches("the NumPy reading", "pattern_vector.npy");
}

TEST(StylePredictor, MatchesArmNnCpuRefOnAPattern)
{
    STYLIZE_REQUIRE_FIXTURES();
    expectMatches("Arm NN 22.0 CpuRef", "pattern_vector_armnn.npy");
}

}  // namespace
}  // namespace stylize::test
