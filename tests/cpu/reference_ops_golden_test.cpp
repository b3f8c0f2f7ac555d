// Each CPU reference op against PyTorch goldens (tools/goldens/make_goldens.py, ops/).
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cpu/reference_ops.h"
#include "golden_compare.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

constexpr double kTolerance = 1e-4;

std::filesystem::path opsDir() { return dataDir() / "goldens" / "ops"; }

const nlohmann::json& cases()
{
    static const nlohmann::json all = [] {
        std::ifstream in(opsDir() / "cases.json");
        if (!in)
            return nlohmann::json::array();
        return nlohmann::json::parse(in).at("cases");
    }();
    return all;
}

std::vector<std::string> caseNames()
{
    std::vector<std::string> names;
    for (const auto& c : cases())
        names.push_back(c.at("name").get<std::string>());
    return names;
}

const nlohmann::json& findCase(const std::string& name)
{
    for (const auto& c : cases())
        if (c.at("name") == name)
            return c;
    throw std::runtime_error("no golden case " + name);
}

NpyArray tensorOf(const std::string& name, const std::string& key)
{
    return readNpy(opsDir() / (name + "." + key + ".npy"));
}

bool has(const nlohmann::json& c, const std::string& key)
{
    for (const auto& k : c.at("tensors"))
        if (k == key)
            return true;
    return false;
}

model::Conv convOf(const std::string& name, const nlohmann::json& p)
{
    const NpyArray w = tensorOf(name, "w");
    model::Conv conv;
    conv.outChannels = int(w.shape.at(0));
    conv.inChannels = int(w.shape.at(1));
    conv.kernelH = int(w.shape.at(2));
    conv.kernelW = int(w.shape.at(3));
    conv.stride = p.at("stride");
    conv.upsample2x = p.at("upsample2x");
    conv.padding.rule = p.at("rule") == "tfsame" ? model::Padding::Rule::TfSame
                                                 : model::Padding::Rule::Explicit;
    conv.padding.mode = p.at("mode") == "reflect" ? model::PadMode::Reflect : model::PadMode::Zero;
    const auto pad = p.at("pad").get<std::vector<int>>();
    conv.padding.top = pad.at(0);
    conv.padding.bottom = pad.at(1);
    conv.padding.left = pad.at(2);
    conv.padding.right = pad.at(3);
    conv.weights = w.data;
    return conv;
}

model::ConvTranspose convTransposeOf(const std::string& name, const nlohmann::json& p)
{
    const NpyArray w = tensorOf(name, "w");
    model::ConvTranspose conv;
    conv.inChannels = int(w.shape.at(0));
    conv.outChannels = int(w.shape.at(1));
    conv.kernelH = int(w.shape.at(2));
    conv.kernelW = int(w.shape.at(3));
    conv.stride = p.at("stride");
    const auto pad = p.at("pad").get<std::vector<int>>();
    conv.padTop = pad.at(0);
    conv.padBottom = pad.at(1);
    conv.padLeft = pad.at(2);
    conv.padRight = pad.at(3);
    conv.weights = w.data;
    return conv;
}

// [slots][channels] rows of a 2-D golden array.
std::vector<std::vector<float>> slotsOf(const NpyArray& a)
{
    const auto slots = std::size_t(a.shape.at(0)), channels = std::size_t(a.shape.at(1));
    std::vector<std::vector<float>> out(slots);
    for (std::size_t s = 0; s < slots; ++s)
        out[s].assign(a.data.begin() + std::ptrdiff_t(s * channels),
                      a.data.begin() + std::ptrdiff_t((s + 1) * channels));
    return out;
}

cpu::Tensor runCase(const std::string& name, const nlohmann::json& c)
{
    const std::string op = c.at("op");
    const nlohmann::json& p = c.at("params");
    const cpu::Tensor x = toTensor(tensorOf(name, "x"));
    if (op == "conv") {
        model::Conv conv = convOf(name, p);
        if (has(c, "b"))
            conv.bias = tensorOf(name, "b").data;
        return cpu::conv2d(x, conv);
    }
    if (op == "conv_transpose") {
        model::ConvTranspose conv = convTransposeOf(name, p);
        conv.bias = tensorOf(name, "b").data;
        return cpu::convTranspose2d(x, conv);
    }
    if (op == "instance_norm") {
        model::InstanceNorm norm;
        norm.channels = x.shape.c;
        norm.epsilon = p.at("epsilon");
        norm.scale = slotsOf(tensorOf(name, "scale"));
        norm.shift = slotsOf(tensorOf(name, "shift"));
        const auto weights = p.at("styleWeights").get<std::vector<float>>();
        return cpu::instanceNorm(x, norm, weights);
    }
    if (op == "upsample2x")
        return cpu::upsample2x(x);
    if (op == "relu")
        return cpu::relu(x);
    if (op == "tanh")
        return cpu::tanh(x);
    if (op == "sigmoid")
        return cpu::sigmoid(x);
    if (op == "add")
        return cpu::add(x, toTensor(tensorOf(name, "x2")));
    if (op == "affine")
        return cpu::affine(x, model::Affine{p.at("scale"), p.at("bias")});
    if (op == "clamp")
        return cpu::clamp(x, model::Clamp{p.at("lo"), p.at("hi")});
    throw std::runtime_error("golden case " + name + " has unknown op " + op);
}

class ReferenceOpGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceOpGolden, MatchesTorch)
{
    const std::string name = GetParam();
    const nlohmann::json& c = findCase(name);
    const NpyArray golden = tensorOf(name, "y");
    const cpu::Tensor y = runCase(name, c);
    EXPECT_TRUE(matchesGolden(name, y, golden, kTolerance));
    const GoldenError e = goldenError(y, golden);
    std::cout << "[ golden   ] " << name << " " << cpu::toString(y.shape)
              << " max abs error " << e.maxAbs << ", relative " << e.relative << "\n";
}

INSTANTIATE_TEST_SUITE_P(Torch, ReferenceOpGolden, ::testing::ValuesIn(caseNames()),
                         [](const auto& info) { return info.param; });

// Guards against the suite passing vacuously when the goldens are missing or renamed.
TEST(ReferenceOpGoldenSet, IsComplete)
{
    ASSERT_TRUE(std::filesystem::exists(opsDir() / "cases.json"))
        << "missing " << opsDir() / "cases.json" << "; run tools/goldens/make_goldens.py";
    std::set<std::string> ops;
    for (const auto& c : cases())
        ops.insert(c.at("op").get<std::string>());
    for (const char* op : {"conv", "conv_transpose", "instance_norm", "upsample2x", "relu",
                           "tanh", "sigmoid", "add", "affine", "clamp"})
        EXPECT_TRUE(ops.count(op)) << "no golden for op " << op;
}

}  // namespace
}  // namespace stylize::test
