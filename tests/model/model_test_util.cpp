// Helpers shared by the model tests (see model_test_util.h).
#include "model_test_util.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace stylize::test {

namespace fs = std::filesystem;
using namespace stylize::model;

TempDir::TempDir()
{
    std::random_device seed;
    for (int attempt = 0; attempt < 100; ++attempt) {
        path_ = fs::temp_directory_path() / ("stylize-model-test-" + std::to_string(seed()));
        if (fs::create_directory(path_))
            return;
    }
    throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir()
{
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

std::vector<std::uint8_t> readBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& file, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::string readText(const fs::path& file)
{
    const auto bytes = readBytes(file);
    return {bytes.begin(), bytes.end()};
}

void writeText(const fs::path& file, const std::string& text)
{
    writeBytes(file, {text.begin(), text.end()});
}

std::vector<float> randomFloats(std::mt19937& rng, std::size_t count)
{
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    std::vector<float> v(count);
    for (float& x : v)
        x = dist(rng);
    return v;
}

Model everyOpModel(int styles)
{
    std::mt19937 rng(42);
    Model m;
    m.name = "every op";
    m.origin = "memory";
    m.mapping.inScale[1] = 1.f / 255.f;
    m.mapping.inBias[2] = -0.5f;
    m.mapping.outScale[0] = 255.f;
    m.mapping.outBias[1] = 0.25f;
    for (int s = 0; s < styles; ++s) {
        StyleInfo info;
        info.name = "style" + std::to_string(s);
        info.title = "Title \"" + std::to_string(s) + "\" \u00e9";
        info.artist = "Artist";
        info.year = "19" + std::to_string(10 + s);
        info.source = "test";
        info.license = "CC0";
        if (s % 2 == 0) {
            info.thumbnail = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
            info.thumbnail.resize(8 + 37 * (s + 1), std::uint8_t(s));
        }
        m.styles.push_back(info);
    }
    auto add = [&](std::string name, Op op, std::vector<TensorId> in) {
        m.nodes.push_back({std::move(name), std::move(op), std::move(in), m.tensorCount()});
        return m.nodes.back().output;
    };
    Conv c1;
    c1.inChannels = 3, c1.outChannels = 4, c1.kernelH = 3, c1.kernelW = 3;
    c1.padding = {Padding::Rule::Explicit, PadMode::Reflect, 1, 1, 1, 1};
    c1.weights = randomFloats(rng, 4 * 3 * 9);
    c1.bias = randomFloats(rng, 4);
    TensorId y = add("c1", c1, {kInputTensor});
    InstanceNorm n;
    n.channels = 4;
    n.epsilon = 1e-3f;
    for (int s = 0; s < styles; ++s) {
        n.scale.push_back(randomFloats(rng, 4));
        n.shift.push_back(randomFloats(rng, 4));
    }
    y = add("n1", n, {y});
    const TensorId skip = add("r1", Relu{}, {y});
    Conv c2;
    c2.inChannels = 4, c2.outChannels = 6, c2.kernelH = 3, c2.kernelW = 5, c2.stride = 2;
    c2.padding.rule = Padding::Rule::TfSame;
    c2.weights = randomFloats(rng, 6 * 4 * 15);
    y = add("c2", c2, {skip});
    ConvTranspose t;
    t.inChannels = 6, t.outChannels = 4, t.kernelH = 3, t.kernelW = 3, t.stride = 2;
    t.padTop = t.padLeft = 0;
    t.padBottom = t.padRight = 1;
    t.weights = randomFloats(rng, 6 * 4 * 9);
    t.bias = randomFloats(rng, 4);
    y = add("t1", t, {y});
    y = add("add", Add{}, {y, skip});
    y = add("up", Upsample2x{}, {y});
    Conv c3;
    c3.inChannels = 4, c3.outChannels = 3, c3.kernelH = 1, c3.kernelW = 1, c3.stride = 2;
    c3.upsample2x = true;
    c3.padding = {Padding::Rule::Explicit, PadMode::Zero, 0, 1, 2, 0};
    c3.weights = randomFloats(rng, 3 * 4);
    y = add("c3", c3, {y});
    y = add("sig", Sigmoid{}, {y});
    y = add("tanh", Tanh{}, {y});
    y = add("aff", Affine{150.f, 127.5f}, {y});
    m.output = add("clamp", Clamp{0.f, 255.f}, {y});
    return m;
}

void writeTinyCheckpoint(const fs::path& folder, int a, int b, int c, int blocks)
{
    fs::create_directories(folder);
    std::mt19937 rng(7);
    nlohmann::json manifest = nlohmann::json::object();
    int index = 0;
    auto variable = [&](std::vector<int> shape) {
        const std::string name = index == 0 ? "Variable" : "Variable_" + std::to_string(index);
        ++index;
        std::size_t count = 1;
        for (int d : shape)
            count *= std::size_t(d);
        const std::vector<float> values = randomFloats(rng, count);
        std::vector<std::uint8_t> bytes(count * 4);
        std::memcpy(bytes.data(), values.data(), bytes.size());  // tests run on little-endian
        writeBytes(folder / name, bytes);
        manifest[name] = {{"filename", name}, {"shape", shape}};
    };
    auto layer = [&](std::vector<int> shape, int out) {
        variable(std::move(shape));
        variable({out});
        variable({out});
    };
    layer({9, 9, 3, a}, a);
    layer({3, 3, a, b}, b);
    layer({3, 3, b, c}, c);
    for (int r = 0; r < blocks * 2; ++r)
        layer({3, 3, c, c}, c);
    layer({3, 3, b, c}, b);
    layer({3, 3, a, b}, a);
    layer({9, 9, a, 3}, 3);
    writeText(folder / "manifest.json", manifest.dump(2));
}

namespace {

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool sameBits(float a, float b)
{
    return std::memcmp(&a, &b, sizeof a) == 0;
}

void expectSameOp(const Op& a, const Op& b, const std::string& where)
{
    ASSERT_EQ(a.index(), b.index()) << where << ": " << opName(a) << " vs " << opName(b);
    if (auto* x = std::get_if<Conv>(&a)) {
        const Conv& y = std::get<Conv>(b);
        EXPECT_EQ(x->inChannels, y.inChannels) << where;
        EXPECT_EQ(x->outChannels, y.outChannels) << where;
        EXPECT_EQ(x->kernelH, y.kernelH) << where;
        EXPECT_EQ(x->kernelW, y.kernelW) << where;
        EXPECT_EQ(x->stride, y.stride) << where;
        EXPECT_EQ(x->upsample2x, y.upsample2x) << where;
        EXPECT_EQ(x->padding.rule, y.padding.rule) << where;
        EXPECT_EQ(x->padding.mode, y.padding.mode) << where;
        EXPECT_EQ(x->padding.top, y.padding.top) << where;
        EXPECT_EQ(x->padding.bottom, y.padding.bottom) << where;
        EXPECT_EQ(x->padding.left, y.padding.left) << where;
        EXPECT_EQ(x->padding.right, y.padding.right) << where;
        EXPECT_TRUE(sameBits(x->weights, y.weights)) << where << " weights";
        EXPECT_TRUE(sameBits(x->bias, y.bias)) << where << " bias";
    } else if (auto* x = std::get_if<ConvTranspose>(&a)) {
        const ConvTranspose& y = std::get<ConvTranspose>(b);
        EXPECT_EQ(x->inChannels, y.inChannels) << where;
        EXPECT_EQ(x->outChannels, y.outChannels) << where;
        EXPECT_EQ(x->kernelH, y.kernelH) << where;
        EXPECT_EQ(x->kernelW, y.kernelW) << where;
        EXPECT_EQ(x->stride, y.stride) << where;
        EXPECT_EQ(x->padTop, y.padTop) << where;
        EXPECT_EQ(x->padBottom, y.padBottom) << where;
        EXPECT_EQ(x->padLeft, y.padLeft) << where;
        EXPECT_EQ(x->padRight, y.padRight) << where;
        EXPECT_TRUE(sameBits(x->weights, y.weights)) << where << " weights";
        EXPECT_TRUE(sameBits(x->bias, y.bias)) << where << " bias";
    } else if (auto* x = std::get_if<InstanceNorm>(&a)) {
        const InstanceNorm& y = std::get<InstanceNorm>(b);
        EXPECT_EQ(x->channels, y.channels) << where;
        EXPECT_TRUE(sameBits(x->epsilon, y.epsilon)) << where;
        ASSERT_EQ(x->scale.size(), y.scale.size()) << where;
        ASSERT_EQ(x->shift.size(), y.shift.size()) << where;
        for (std::size_t s = 0; s < x->scale.size(); ++s) {
            EXPECT_TRUE(sameBits(x->scale[s], y.scale[s])) << where << " scale " << s;
            EXPECT_TRUE(sameBits(x->shift[s], y.shift[s])) << where << " shift " << s;
        }
    } else if (auto* x = std::get_if<Affine>(&a)) {
        EXPECT_TRUE(sameBits(x->scale, std::get<Affine>(b).scale)) << where;
        EXPECT_TRUE(sameBits(x->bias, std::get<Affine>(b).bias)) << where;
    } else if (auto* x = std::get_if<Clamp>(&a)) {
        EXPECT_TRUE(sameBits(x->lo, std::get<Clamp>(b).lo)) << where;
        EXPECT_TRUE(sameBits(x->hi, std::get<Clamp>(b).hi)) << where;
    }
}

}  // namespace

void expectSameNetwork(const Model& expected, const Model& actual)
{
    ASSERT_EQ(expected.nodes.size(), actual.nodes.size());
    EXPECT_EQ(expected.output, actual.output);
    EXPECT_EQ(expected.styles.size(), actual.styles.size());
    for (int c = 0; c < 3; ++c) {
        EXPECT_TRUE(sameBits(expected.mapping.inScale[c], actual.mapping.inScale[c]));
        EXPECT_TRUE(sameBits(expected.mapping.inBias[c], actual.mapping.inBias[c]));
        EXPECT_TRUE(sameBits(expected.mapping.outScale[c], actual.mapping.outScale[c]));
        EXPECT_TRUE(sameBits(expected.mapping.outBias[c], actual.mapping.outBias[c]));
    }
    for (std::size_t i = 0; i < expected.nodes.size(); ++i) {
        const Node& x = expected.nodes[i];
        const Node& y = actual.nodes[i];
        const std::string where = "node " + std::to_string(i) + " '" + x.name + "'";
        EXPECT_EQ(x.inputs, y.inputs) << where;
        EXPECT_EQ(x.output, y.output) << where;
        expectSameOp(x.op, y.op, where);
    }
}

void expectSameModel(const Model& expected, const Model& actual)
{
    EXPECT_EQ(expected.name, actual.name);
    expectSameNetwork(expected, actual);
    ASSERT_EQ(expected.nodes.size(), actual.nodes.size());
    for (std::size_t i = 0; i < expected.nodes.size(); ++i)
        EXPECT_EQ(expected.nodes[i].name, actual.nodes[i].name);
    ASSERT_EQ(expected.styles.size(), actual.styles.size());
    for (std::size_t s = 0; s < expected.styles.size(); ++s) {
        const StyleInfo& x = expected.styles[s];
        const StyleInfo& y = actual.styles[s];
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.title, y.title);
        EXPECT_EQ(x.artist, y.artist);
        EXPECT_EQ(x.year, y.year);
        EXPECT_EQ(x.source, y.source);
        EXPECT_EQ(x.license, y.license);
        EXPECT_EQ(x.thumbnail, y.thumbnail);
    }
}

}  // namespace stylize::test
