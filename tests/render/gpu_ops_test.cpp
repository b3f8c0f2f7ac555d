// Every GPU op against its CPU reference on lavapipe (or any Vulkan device), over a list
// of shapes with a fixed seed, in fp32 and fp16 storage. The op's input is the tensor the
// GPU itself produced, so each comparison isolates one op (or one fused step).
#include <functional>
#include <sstream>

#include "cpu/reference_network.h"
#include "gpu_test_support.h"
#include "network_probe.h"

namespace stylize::test {
namespace {

using model::Node;
using model::Padding;
using render::Precision;

struct OpCase {
    std::string name;
    int channels, h, w;  // the tested op's input
    // Appends the nodes under test; tensor 1 is the lifted input (channels x h x w).
    std::function<void(std::mt19937&, std::vector<Node>&)> build;
};

Padding zeroPad(int p) { return {Padding::Rule::Explicit, model::PadMode::Zero, p, p, p, p}; }
Padding reflectPad(int p) { return {Padding::Rule::Explicit, model::PadMode::Reflect, p, p, p, p}; }
Padding tfSame() { return {Padding::Rule::TfSame, model::PadMode::Zero, 0, 0, 0, 0}; }

Node node(std::string name, model::Op op, std::vector<model::TensorId> inputs, model::TensorId output)
{
    return Node{std::move(name), std::move(op), std::move(inputs), output};
}

std::function<void(std::mt19937&, std::vector<Node>&)> convCase(int in, int out, int k, int stride, Padding pad,
                                                                bool upsample = false)
{
    return [=](std::mt19937& rng, std::vector<Node>& nodes) {
        nodes.push_back(node("conv", randomConv(rng, in, out, k, stride, pad, upsample), {1}, 2));
    };
}

model::InstanceNorm randomNorm(std::mt19937& rng, int channels, int slots, float eps)
{
    model::InstanceNorm n;
    n.channels = channels;
    n.epsilon = eps;
    for (int s = 0; s < slots; ++s) {
        n.scale.push_back(randomValues(rng, channels, 0.5f, 1.5f));
        n.shift.push_back(randomValues(rng, channels, -1.f, 1.f));
    }
    return n;
}

model::ConvTranspose randomDeconv(std::mt19937& rng, int in, int out, int k, int stride, int padBegin, int padEnd)
{
    model::ConvTranspose c;
    c.inChannels = in;
    c.outChannels = out;
    c.kernelH = c.kernelW = k;
    c.stride = stride;
    c.padTop = c.padLeft = padBegin;
    c.padBottom = c.padRight = padEnd;
    const float scale = 1.f / std::sqrt(float(in * k * k));
    c.weights = randomValues(rng, std::size_t(in) * out * k * k, -scale, scale);
    c.bias = randomValues(rng, out, -0.5f, 0.5f);
    return c;
}

std::vector<OpCase> cases()
{
    std::vector<OpCase> list;
    for (auto [c, h, w] : {std::tuple{3, 7, 9}, {8, 16, 16}, {13, 11, 20}}) {
        for (int k : {1, 3, 9})
            list.push_back({"conv k" + std::to_string(k) + " zero", c, h, w, convCase(c, 8, k, 1, zeroPad(k / 2))});
        list.push_back({"conv k3 reflect", c, h, w, convCase(c, 6, 3, 1, reflectPad(1))});
        list.push_back({"conv k9 reflect", c, h, w, convCase(c, 3, 9, 1, reflectPad(4))});
        list.push_back({"conv k3 s2 reflect", c, h, w, convCase(c, 16, 3, 2, reflectPad(1))});
        list.push_back({"conv k3 s2 tf-same", c, h, w, convCase(c, 12, 3, 2, tfSame())});
        list.push_back({"conv k9 tf-same", c, h, w, convCase(c, 4, 9, 1, tfSame())});
        list.push_back({"conv k3 upsample reflect", c, h, w, convCase(c, 8, 3, 1, reflectPad(1), true)});
        list.push_back({"deconv k3 s2 torch", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("deconv", randomDeconv(rng, c, 8, 3, 2, 1, 0), {1}, 2));
                        }});
        list.push_back({"deconv k3 s2 tf-same", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("deconv", randomDeconv(rng, c, 5, 3, 2, 0, 1), {1}, 2));
                        }});
        list.push_back({"deconv k4 s2 pad1", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("deconv", randomDeconv(rng, c, 8, 4, 2, 1, 1), {1}, 2));
                        }});
        list.push_back({"instance norm", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("in", randomNorm(rng, c, 1, 1e-5f), {1}, 2));
                        }});
        list.push_back({"conv + conditional IN + relu", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("conv", randomConv(rng, c, 8, 3, 1, reflectPad(1)), {1}, 2));
                            n.push_back(node("in", randomNorm(rng, 8, 3, 1e-3f), {2}, 3));
                            n.push_back(node("relu", model::Relu{}, {3}, 4));
                        }});
        list.push_back({"conv + IN + residual add", c, h, w, [c](std::mt19937& rng, std::vector<Node>& n) {
                            n.push_back(node("conv", randomConv(rng, c, c, 3, 1, zeroPad(1)), {1}, 2));
                            n.push_back(node("in", randomNorm(rng, c, 1, 1e-5f), {2}, 3));
                            n.push_back(node("add", model::Add{}, {1, 3}, 4));
                        }});
        list.push_back({"upsample2x", c, h, w, [](std::mt19937&, std::vector<Node>& n) {
                            n.push_back(node("up", model::Upsample2x{}, {1}, 2));
                        }});
        list.push_back({"relu tanh sigmoid", c, h, w, [](std::mt19937&, std::vector<Node>& n) {
                            n.push_back(node("relu", model::Relu{}, {1}, 2));
                            n.push_back(node("tanh", model::Tanh{}, {2}, 3));
                            n.push_back(node("sigmoid", model::Sigmoid{}, {1}, 4));
                            n.push_back(node("add", model::Add{}, {3, 4}, 5));
                        }});
        list.push_back({"affine clamp", c, h, w, [](std::mt19937&, std::vector<Node>& n) {
                            n.push_back(node("affine", model::Affine{150.f, 127.5f}, {1}, 2));
                            n.push_back(node("clamp", model::Clamp{0.f, 255.f}, {2}, 3));
                        }});
    }
    // Wider than one 16-lane workgroup covers (conv2d_subgroup.comp tiles up to 64
    // columns x 4 rows per workgroup): several groups per row, partial tiles at the
    // right and bottom, a partial last block of output packs (20 = 4 + 1 packs).
    // Planes of two slices or more are summed in slices first (instance_norm_partial; a
    // slice is 1024 values on GPUs, 16384 on CPU drivers): 37x70 in 2 slices on GPUs,
    // 96x80 in 7 with a partial last one; 181x199 in 2 (partial last) on CPU drivers too.
    list.push_back({"instance norm sliced", 20, 37, 70, [](std::mt19937& rng, std::vector<Node>& n) {
                        n.push_back(node("in", randomNorm(rng, 20, 2, 1e-5f), {1}, 2));
                    }});
    list.push_back({"instance norm sliced large", 6, 181, 199, [](std::mt19937& rng, std::vector<Node>& n) {
                        n.push_back(node("in", randomNorm(rng, 6, 3, 1e-5f), {1}, 2));
                    }});
    list.push_back({"conv + IN sliced + relu", 5, 96, 80, [](std::mt19937& rng, std::vector<Node>& n) {
                        n.push_back(node("conv", randomConv(rng, 5, 8, 3, 1, reflectPad(1)), {1}, 2));
                        n.push_back(node("in", randomNorm(rng, 8, 3, 1e-3f), {2}, 3));
                        n.push_back(node("relu", model::Relu{}, {3}, 4));
                    }});
    list.push_back({"conv k3 reflect wide", 20, 37, 70, convCase(20, 20, 3, 1, reflectPad(1))});
    list.push_back({"conv k3 s2 wide", 20, 37, 70, convCase(20, 40, 3, 2, reflectPad(1))});
    list.push_back({"conv k3 upsample wide", 12, 19, 35, convCase(12, 6, 3, 1, reflectPad(1), true)});
    list.push_back({"conv k3 upsample zero wide", 9, 19, 35, convCase(9, 16, 3, 1, zeroPad(1), true)});
    list.push_back({"conv k9 3->32 wide", 3, 33, 67, convCase(3, 32, 9, 1, reflectPad(4))});
    list.push_back({"conv k9 32->3 wide", 32, 33, 67, convCase(32, 3, 9, 1, reflectPad(4))});
    return list;
}

class GpuOps : public ::testing::TestWithParam<Precision> {};

TEST_P(GpuOps, MatchCpuReference)
{
    STYLIZE_REQUIRE_VULKAN();
    const Precision precision = GetParam();
    if (precision == Precision::Fp16Storage && !vulkanContext()->info().fp16Storage)
        GTEST_SKIP() << "device has no 16-bit storage";
    std::mt19937 rng(1234);
    for (const OpCase& c : cases()) {
        model::Model m;
        m.name = c.name;
        m.styles.push_back({"test"});
        // Tensor 1: a 1x1 conv lifting the 3-channel input to the case's channel count.
        m.nodes.push_back(node("lift", randomConv(rng, 3, c.channels, 1, 1, zeroPad(0)), {0}, 1));
        c.build(rng, m.nodes);
        m.output = m.nodes.back().output;
        std::vector<float> weights(3, 0.f);
        weights[0] = 0.2f, weights[1] = 0.5f, weights[2] = 0.3f;

        render::NetworkProbe probe(*vulkanContext(), m, c.h, c.w, precision);
        const auto& norm = std::get_if<model::InstanceNorm>(&m.nodes.back().op);
        const bool conditional = std::any_of(m.nodes.begin(), m.nodes.end(), [](const Node& n) {
            auto* in = std::get_if<model::InstanceNorm>(&n.op);
            return in && in->scale.size() == 3;
        });
        std::span<const float> styleWeights = conditional ? std::span<const float>(weights) : std::span<const float>();
        (void)norm;
        if (conditional)
            probe.setStyleWeights(weights);
        const std::vector<float> input = randomValues(rng, std::size_t(3) * c.h * c.w, 0.f, 255.f / 64);
        const std::vector<float> gpuOut = probe.run(input);

        // CPU: the same nodes from the GPU's own tensor 1 onwards.
        std::optional<std::vector<float>> lifted = probe.tensor(1);
        ASSERT_TRUE(lifted.has_value());
        std::vector<cpu::Tensor> values(m.tensorCount());
        values[1] = cpu::Tensor(probe.shapes()[1]);
        values[1].data = *lifted;
        for (std::size_t i = 1; i < m.nodes.size(); ++i) {
            std::vector<const cpu::Tensor*> inputs;
            for (model::TensorId t : m.nodes[i].inputs)
                inputs.push_back(&values[t]);
            values[m.nodes[i].output] = cpu::runNode(m.nodes[i], inputs, styleWeights);
        }
        const cpu::Tensor& expected = values[m.output];
        ASSERT_EQ(expected.shape, probe.shapes()[m.output]) << c.name;
        const double err = relativeError(gpuOut, expected.data);
        EXPECT_LE(err, tolerance(precision))
            << c.name << " (" << render::precisionName(precision) << "), input " << c.channels << "x" << c.h << "x"
            << c.w << " -> " << cpu::toString(expected.shape) << ": relative error " << err;
    }
}

INSTANTIATE_TEST_SUITE_P(Precisions, GpuOps, ::testing::Values(Precision::Fp32, Precision::Fp16Storage),
                         [](const auto& info) { return std::string(render::precisionName(info.param)); });

}  // namespace
}  // namespace stylize::test
