// Tests of the Engstrom/ml5 checkpoint loader: the real fixtures and damaged copies.
#include <cstring>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/loaders.h"
#include "model_test_util.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using namespace stylize::model;
namespace fs = std::filesystem;

fs::path engstromDir()
{
    return fixturesDir() / "models" / "engstrom-ml5";
}

TEST(EngstromLoader, LoadsEveryFixtureStyle)
{
    STYLIZE_REQUIRE_FIXTURES();
    for (const char* style : {"la_muse", "rain_princess", "scream", "udnie", "wave", "wreck"}) {
        SCOPED_TRACE(style);
        const Model m = loadEngstromCheckpoint(engstromDir() / style);
        EXPECT_EQ(m.name, style);
        ASSERT_EQ(m.styleCount(), 1);
        EXPECT_EQ(m.styles[0].name, style);
        // 3 encoder layers of conv+IN+ReLU, 5 blocks of 6 nodes, 2 decoder layers of
        // 3, the output conv+IN, tanh and the affine.
        EXPECT_EQ(m.nodes.size(), 9u + 30u + 6u + 4u);
        EXPECT_NO_THROW(validate(m));
    }
}

TEST(EngstromLoader, StructureAndShapes)
{
    STYLIZE_REQUIRE_FIXTURES();
    const Model m = loadEngstromCheckpoint(engstromDir() / "wave");
    const auto& c1 = std::get<Conv>(m.nodes[0].op);
    EXPECT_EQ(c1.kernelH, 9);
    EXPECT_EQ(c1.outChannels, 32);
    EXPECT_EQ(c1.padding.rule, Padding::Rule::TfSame);
    EXPECT_EQ(c1.padding.mode, PadMode::Zero);
    EXPECT_TRUE(c1.bias.empty());
    const auto& n1 = std::get<InstanceNorm>(m.nodes[1].op);
    EXPECT_FLOAT_EQ(n1.epsilon, 1e-3f);
    const auto& t1 = std::get<ConvTranspose>(m.nodes[39].op);
    EXPECT_EQ(t1.inChannels, 128);
    EXPECT_EQ(t1.outChannels, 64);
    EXPECT_EQ(t1.padTop, 0);
    EXPECT_EQ(t1.padBottom, 1);
    const auto& out = std::get<Affine>(m.nodes.back().op);
    EXPECT_FLOAT_EQ(out.scale, 150.f);
    EXPECT_FLOAT_EQ(out.bias, 127.5f);
    EXPECT_TRUE(std::holds_alternative<Tanh>(m.nodes[m.nodes.size() - 2].op));
    EXPECT_EQ(m.mapping.inScale[0], 1.f);
    EXPECT_EQ(m.mapping.outBias[2], 0.f);

    // 474 rows: 237, 119 (rounded up), then 238, 476; the image is the top-left crop.
    const std::vector<Shape> s = inferShapes(m, 474, 712);
    EXPECT_EQ(s[m.output], (Shape{3, 476, 712}));
    EXPECT_EQ(s[3], (Shape{32, 474, 712}));
    EXPECT_EQ(s[6], (Shape{64, 237, 356}));
    EXPECT_EQ(s[9], (Shape{128, 119, 178}));
    EXPECT_EQ(s[42], (Shape{64, 238, 356}));
    EXPECT_EQ(inferShapes(m, 256, 256)[m.output], (Shape{3, 256, 256}));
    // The ten 128-channel residual convs at a quarter of the size dominate: about 85 GFLOP.
    const double f = flops(m, 474, 712);
    EXPECT_GT(f, 8.0e10);
    EXPECT_LT(f, 9.0e10);
}

TEST(EngstromLoader, WeightsAreTransposedFromTensorFlowLayout)
{
    STYLIZE_REQUIRE_FIXTURES();
    const fs::path dir = engstromDir() / "scream";
    const Model m = loadEngstromCheckpoint(dir);
    auto raw = [&](const char* name) {
        const auto bytes = readBytes(dir / name);
        std::vector<float> v(bytes.size() / 4);
        std::memcpy(v.data(), bytes.data(), v.size() * 4);
        return v;
    };
    // conv2: TF [3][3][32][64] -> OIHW [64][32][3][3].
    const std::vector<float> tf = raw("Variable_3");
    const auto& c2 = std::get<Conv>(m.nodes[3].op);
    for (int o : {0, 17, 63})
        for (int i : {0, 5, 31})
            for (int y : {0, 2})
                for (int x : {0, 1, 2})
                    EXPECT_EQ(c2.weights[((o * 32 + i) * 3 + y) * 3 + x], tf[((y * 3 + x) * 32 + i) * 64 + o]);
    // deconv1: TF [3][3][64 out][128 in] -> IOHW [128][64][3][3].
    const std::vector<float> tt = raw("Variable_39");
    const auto& t1 = std::get<ConvTranspose>(m.nodes[39].op);
    for (int i : {0, 100, 127})
        for (int o : {0, 33, 63})
            for (int y : {0, 2})
                for (int x : {0, 2})
                    EXPECT_EQ(t1.weights[((i * 64 + o) * 3 + y) * 3 + x], tt[((y * 3 + x) * 64 + o) * 128 + i]);
    // IN shift then scale.
    EXPECT_EQ(std::get<InstanceNorm>(m.nodes[1].op).shift[0], raw("Variable_1"));
    EXPECT_EQ(std::get<InstanceNorm>(m.nodes[1].op).scale[0], raw("Variable_2"));
}

TEST(EngstromLoader, SyntheticCheckpointWithOtherWidths)
{
    TempDir tmp;
    writeTinyCheckpoint(tmp / "tiny", 4, 6, 8, 1);
    const Model m = loadModel(tmp / "tiny");
    EXPECT_EQ(m.nodes.size(), 9u + 6u + 6u + 4u);
    EXPECT_EQ(inferShapes(m, 30, 20)[m.output], (Shape{3, 32, 20}));
}

TEST(EngstromLoader, MissingFolderOrFiles)
{
    TempDir tmp;
    std::string e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "nope"); });
    EXPECT_NE(e.find("nope: no such file or folder"), std::string::npos) << e;
    fs::create_directory(tmp / "empty");
    e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "empty"); });
    EXPECT_NE(e.find("no manifest.json"), std::string::npos) << e;

    writeTinyCheckpoint(tmp / "t", 4, 6, 8, 1);
    fs::remove(tmp / "t" / "Variable_7");
    e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); });
    EXPECT_NE(e.find("Variable_7"), std::string::npos) << e;
    EXPECT_NE(e.find("no such file"), std::string::npos) << e;
}

TEST(EngstromLoader, TruncatedVariableFileNamesFileAndSize)
{
    TempDir tmp;
    writeTinyCheckpoint(tmp / "t", 4, 6, 8, 1);
    fs::resize_file(tmp / "t" / "Variable_12", 100);
    const std::string e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); });
    EXPECT_NE(e.find("Variable_12"), std::string::npos) << e;
    EXPECT_NE(e.find("has 100 bytes, expected 2304"), std::string::npos) << e;  // 3*3*8*8*4
}

TEST(EngstromLoader, NonFiniteVariableIsRejected)
{
    TempDir tmp;
    writeTinyCheckpoint(tmp / "t", 4, 6, 8, 1);
    std::vector<std::uint8_t> bytes = readBytes(tmp / "t" / "Variable_2");  // conv1's IN scale
    const std::uint32_t inf = 0x7f800000u;
    std::memcpy(bytes.data(), &inf, 4);
    writeBytes(tmp / "t" / "Variable_2", bytes);
    const std::string e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); });
    EXPECT_NE(e.find((tmp / "t").string()), std::string::npos) << e;
    EXPECT_NE(e.find("is infinite"), std::string::npos) << e;
}

TEST(EngstromLoader, TruncatedFixtureCopy)
{
    STYLIZE_REQUIRE_FIXTURES();
    TempDir tmp;
    fs::copy(engstromDir() / "udnie", tmp / "udnie");
    fs::resize_file(tmp / "udnie" / "Variable_21", 4096);
    const std::string e = modelErrorOf([&] { loadModel(tmp / "udnie"); });
    EXPECT_NE(e.find("Variable_21: has 4096 bytes, expected 589824"), std::string::npos) << e;
}

TEST(EngstromLoader, WrongManifestShape)
{
    TempDir tmp;
    writeTinyCheckpoint(tmp / "t", 4, 6, 8, 1);
    auto manifest = nlohmann::json::parse(readText(tmp / "t" / "manifest.json"));
    manifest["Variable_4"]["shape"] = {7};
    writeText(tmp / "t" / "manifest.json", manifest.dump());
    const std::string e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); });
    EXPECT_NE(e.find("manifest.json: variable Variable_4"), std::string::npos) << e;
    EXPECT_NE(e.find("is [7], expected [6]"), std::string::npos) << e;

    manifest["Variable_4"]["shape"] = {6};
    manifest["Variable_5"]["filename"] = "../Variable_5";
    writeText(tmp / "t" / "manifest.json", manifest.dump());
    EXPECT_NE(modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); }).find("inside the folder"), std::string::npos);

    manifest.erase("Variable_20");
    writeText(tmp / "t" / "manifest.json", manifest.dump());
    EXPECT_NE(modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); }).find("lists 20 variables"), std::string::npos);

    writeText(tmp / "t" / "manifest.json", "{\"Variable\": [");
    EXPECT_NE(modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); }).find("not valid JSON"), std::string::npos);
}

TEST(EngstromLoader, AbsurdShapeIsRejectedBeforeReading)
{
    TempDir tmp;
    writeTinyCheckpoint(tmp / "t", 4, 6, 8, 1);
    auto manifest = nlohmann::json::parse(readText(tmp / "t" / "manifest.json"));
    manifest["Variable"]["shape"] = {9, 9, 3, 100000};
    writeText(tmp / "t" / "manifest.json", manifest.dump());
    const std::string e = modelErrorOf([&] { loadEngstromCheckpoint(tmp / "t"); });
    EXPECT_NE(e.find("Variable"), std::string::npos) << e;
    EXPECT_NE(e.find("expected sizes from 1 to 4096"), std::string::npos) << e;
}

}  // namespace
}  // namespace stylize::test
