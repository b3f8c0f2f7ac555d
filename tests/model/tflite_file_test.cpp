// The TensorFlow Lite reader (model/tflite_file.h) on Magenta's arbitrary-style files in
// ../shared/fixtures, against what tools/models/tflite_graph.py (an independent Python
// reading) prints for them:
//   /usr/bin/python3 tools/models/tflite_graph.py FILE   (counts, names, shapes)
// and its Graph.value() for the weights checked here; plus damaged files: each is read or
// rejected with a ModelError naming the file, never a crash.
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>

#include "model/file_bytes.h"
#include "model/model.h"
#include "model/tflite_file.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using namespace stylize::model;

std::vector<std::uint8_t> fixture(const std::string& name)
{
    return readFileBytes(fixturesDir() / "models/magenta-arbitrary" / name, 64 << 20);
}

const tflite::Tensor& byName(const tflite::Graph& g, const std::string& name)
{
    for (const auto& t : g.tensors)
        if (t.name == name)
            return t;
    throw std::runtime_error("no tensor " + name);
}

std::map<std::string, int> histogram(const tflite::Graph& g)
{
    std::map<std::string, int> h;
    for (const auto& op : g.operators)
        ++h[tflite::builtinName(op.builtin) ? tflite::builtinName(op.builtin) : "other"];
    return h;
}

TEST(TfliteFile, TransferNetworkAsThePythonReadingSeesIt)
{
    STYLIZE_REQUIRE_FIXTURES();
    const auto bytes = fixture("style_transfer_f16_384.tflite");
    const tflite::Graph g = tflite::parse(bytes, "style_transfer_f16_384.tflite");
    EXPECT_EQ(g.tensors.size(), 420u);
    EXPECT_EQ(g.operators.size(), 285u);
    const std::map<std::string, int> expected = {
        {"MIRROR_PAD", 16}, {"DEQUANTIZE", 88}, {"CONV_2D", 42}, {"MEAN", 26},   {"SQUARED_DIFFERENCE", 13},
        {"ADD", 31},        {"RSQRT", 13},      {"MUL", 39},     {"SUB", 13},    {"RESIZE_NEAREST_NEIGHBOR", 3},
        {"LOGISTIC", 1}};
    EXPECT_EQ(histogram(g), expected);
    ASSERT_EQ(g.inputs.size(), 2u);
    EXPECT_EQ(g.tensors[g.inputs[0]].name, "content_image");
    EXPECT_EQ(g.tensors[g.inputs[0]].shape, (std::vector<int>{1, 384, 384, 3}));
    EXPECT_EQ(g.tensors[g.inputs[1]].name, "mobilenet_conv/Conv/BiasAdd");
    EXPECT_EQ(g.tensors[g.inputs[1]].shape, (std::vector<int>{1, 1, 1, 100}));
    ASSERT_EQ(g.outputs.size(), 1u);
    EXPECT_EQ(g.tensors[g.outputs[0]].name, "transformer/expand/conv3/conv/Sigmoid");

    const tflite::Tensor& w = byName(g, "transformer/contract/conv1/weights");
    EXPECT_EQ(w.type, tflite::TensorType::Float16);
    EXPECT_EQ(w.shape, (std::vector<int>{8, 9, 9, 3}));
    const std::vector<float> v = tflite::constantValues(w, "file");
    EXPECT_NEAR(std::accumulate(v.begin(), v.end(), 0.0), -1.022788, 1e-4);
    EXPECT_NEAR(v[0], 0.00663757, 1e-7);
    EXPECT_NEAR(v[1], 0.04879761, 1e-7);
    EXPECT_NEAR(v[2], -0.04501343, 1e-7);

    // The second convolution: stride 2, VALID after its MIRROR_PAD, fused ReLU.
    int convs = 0;
    for (const auto& op : g.operators)
        if (op.builtin == tflite::kConv2d && convs++ == 1) {
            EXPECT_EQ(op.options.strideW, 2);
            EXPECT_EQ(op.options.strideH, 2);
            EXPECT_EQ(op.options.padding, 1);
            EXPECT_EQ(op.options.activation, 1);
        }
}

TEST(TfliteFile, PredictorPerChannelInt8Weights)
{
    STYLIZE_REQUIRE_FIXTURES();
    const auto bytes = fixture("style_predict_quantized_256.tflite");
    const tflite::Graph g = tflite::parse(bytes, "style_predict_quantized_256.tflite");
    EXPECT_EQ(g.tensors.size(), 174u);
    EXPECT_EQ(g.operators.size(), 66u);
    const std::map<std::string, int> expected = {{"QUANTIZE", 1}, {"CONV_2D", 36}, {"DEPTHWISE_CONV_2D", 17},
                                                 {"ADD", 10},     {"MEAN", 1},     {"DEQUANTIZE", 1}};
    EXPECT_EQ(histogram(g), expected);
    const tflite::Tensor& w = byName(g, "MobilenetV2/Conv/weights");
    EXPECT_EQ(w.type, tflite::TensorType::Int8);
    EXPECT_EQ(w.quantization.scale.size(), 32u);
    const std::vector<float> v = tflite::constantValues(w, "file");
    EXPECT_NEAR(std::accumulate(v.begin(), v.end(), 0.0), -14.418624, 1e-3);
    EXPECT_NEAR(v[0], -0.29855356, 1e-6);
    EXPECT_NEAR(v[1], -0.47581973, 1e-6);
}

TEST(TfliteFile, NotATfliteFileSaysSo)
{
    const std::vector<std::uint8_t> junk = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
    try {
        tflite::parse(junk, "hello.tflite");
        FAIL() << "junk was read";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("hello.tflite"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("TFL3"), std::string::npos) << e.what();
    }
}

// Damaged copies (bytes flipped, the file cut): read, or a ModelError naming the file.
TEST(TfliteFile, DamagedFilesAreReadOrRejectedNeverACrash)
{
    STYLIZE_REQUIRE_FIXTURES();
    const auto original = fixture("style_transfer_f16_384.tflite");
    std::mt19937_64 rng(13);
    int rejected = 0;
    for (int i = 0; i < 300; ++i) {
        std::vector<std::uint8_t> b = original;
        if (i % 10 == 9) {
            b.resize(std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng));
        } else {
            // Offsets and counts live in the first few kilobytes and around each table.
            const int flips = 1 + int(rng() % 8);
            for (int f = 0; f < flips; ++f) {
                const std::size_t at = rng() % 2 ? rng() % std::min<std::size_t>(b.size(), 4096) : rng() % b.size();
                b[at] = std::uint8_t(rng());
            }
        }
        try {
            const tflite::Graph g = tflite::parse(b, "damaged.tflite");
            for (const auto& t : g.tensors)
                if (!t.data.empty())
                    try {
                        tflite::constantValues(t, "damaged.tflite");
                    } catch (const ModelError&) {
                    }
        } catch (const ModelError& e) {
            ++rejected;
            EXPECT_NE(std::string(e.what()).find("damaged.tflite"), std::string::npos) << e.what();
        }
    }
    EXPECT_GT(rejected, 10);
}

}  // namespace
}  // namespace stylize::test
