// The kernel check: each case is a 1x1 "lift" conv (3 channels -> the case's width)
// followed by the ops under test. The CPU reference runs those ops on the tensor the GPU
// lifted, so a comparison sees only the tested ops' error, not the lift's.
#include "kernel_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>

#include "cpu/reference_network.h"
#include "network_probe.h"
#include "ops/conv_kernel.h"
#include "ops/norm_reduction.h"
#include "scoped_environment.h"
#include "vk/context.h"

namespace stylize::gpucheck {
namespace {

using model::TensorId;
using render::Precision;

constexpr int kStyles = 3;
constexpr float kBlend[kStyles] = {0.2f, 0.5f, 0.3f};  // the conditional norms' style weights
constexpr int kNetworkSide = 64;

// Builds a model node by node with seeded random parameters (tensor id = node index + 1).
class ModelBuilder {
public:
    explicit ModelBuilder(std::uint32_t seed) : rng_(seed)
    {
        model_.name = "gpu check";
        for (int s = 0; s < kStyles; ++s)
            model_.styles.push_back({"style" + std::to_string(s)});
    }

    // k x k, reflect padding k/2 (a 1x1 needs none); weights scaled by the fan-in keep values O(1).
    TensorId conv(TensorId in, int inChannels, int outChannels, int k, int stride = 1, bool upsample = false)
    {
        const int p = k / 2;
        const float range = 1.f / std::sqrt(float(inChannels * k * k));
        model::Conv c{.inChannels = inChannels,
                      .outChannels = outChannels,
                      .kernelH = k,
                      .kernelW = k,
                      .stride = stride,
                      .padding = {model::Padding::Rule::Explicit, model::PadMode::Reflect, p, p, p, p},
                      .upsample2x = upsample,
                      .weights = uniform(std::size_t(outChannels) * inChannels * k * k, -range, range),
                      .bias = uniform(std::size_t(outChannels), -0.5f, 0.5f)};
        return append("conv", std::move(c), {in});
    }
    // Conditional: one scale and shift per style slot.
    TensorId norm(TensorId in, int channels)
    {
        model::InstanceNorm n;
        n.channels = channels;
        for (int s = 0; s < kStyles; ++s) {
            n.scale.push_back(uniform(std::size_t(channels), 0.5f, 1.5f));
            n.shift.push_back(uniform(std::size_t(channels), -1.f, 1.f));
        }
        return append("norm", std::move(n), {in});
    }
    TensorId relu(TensorId in) { return append("relu", model::Relu{}, {in}); }
    TensorId add(TensorId a, TensorId b) { return append("add", model::Add{}, {a, b}); }

    std::vector<float> uniform(std::size_t count, float lo, float hi)
    {
        std::uniform_real_distribution<float> dist(lo, hi);
        std::vector<float> values(count);
        for (float& v : values)
            v = dist(rng_);
        return values;
    }

    // Not validate()d: a check model may end in any channel count, not only RGB.
    model::Model finish(TensorId output)
    {
        model_.output = output;
        return std::move(model_);
    }

private:
    TensorId append(const std::string& kind, model::Op op, std::vector<TensorId> inputs)
    {
        const TensorId output = model_.tensorCount();
        model_.nodes.push_back({kind + std::to_string(output), std::move(op), std::move(inputs), output});
        return output;
    }

    std::mt19937 rng_;
    model::Model model_;
};

struct OpCase {
    const char* name;
    int channels;        // the tested ops' input
    int h, w;            // full check: not multiples of the 16-wide tiles, several tiles per row
    int quickH, quickW;  // --quick
    TensorId (*build)(ModelBuilder& b, TensorId x, int channels);  // appends the tested ops after x
};

const OpCase kCases[] = {
    {"conv 3x3 s1 reflect", 20, 37, 70, 11, 21, [](ModelBuilder& b, TensorId x, int c) { return b.conv(x, c, 20, 3); }},
    {"conv 3x3 s2 reflect", 20, 37, 70, 11, 21,
     [](ModelBuilder& b, TensorId x, int c) { return b.conv(x, c, 40, 3, 2); }},
    {"upsample2x + conv 3x3", 12, 19, 35, 7, 11,
     [](ModelBuilder& b, TensorId x, int c) { return b.conv(x, c, 6, 3, 1, true); }},
    {"conv 9x9 3->32", 3, 33, 67, 13, 21, [](ModelBuilder& b, TensorId x, int c) { return b.conv(x, c, 32, 9); }},
    {"conv 9x9 32->3", 32, 33, 67, 13, 21, [](ModelBuilder& b, TensorId x, int c) { return b.conv(x, c, 3, 9); }},
    {"conv + instance norm (3 styles) + relu", 16, 37, 70, 11, 21,
     [](ModelBuilder& b, TensorId x, int c) { return b.relu(b.norm(b.conv(x, c, 16, 3), 16)); }},
    {"residual block", 32, 37, 70, 11, 21,
     [](ModelBuilder& b, TensorId x, int c) {
         const TensorId first = b.relu(b.norm(b.conv(x, c, c, 3), c));
         return b.add(b.norm(b.conv(first, c, c, 3), c), x);
     }},
};

double relativeError(const std::vector<float>& gpu, const std::vector<float>& cpu)
{
    if (gpu.size() != cpu.size())
        return INFINITY;
    double worst = 0, range = 1;
    for (std::size_t i = 0; i < gpu.size(); ++i) {
        const double diff = std::abs(double(gpu[i]) - cpu[i]);
        worst = std::isnan(diff) || diff > worst ? diff : worst;  // a NaN sticks
        range = std::max(range, std::abs(double(cpu[i])));
    }
    return std::isnan(worst) ? INFINITY : worst / range;
}

// The nodes after `from` on the CPU, starting from `start` (the GPU's value of tensor `from`).
std::vector<float> cpuFrom(const model::Model& m, TensorId from, cpu::Tensor start)
{
    std::vector<cpu::Tensor> values(m.tensorCount());
    values[from] = std::move(start);
    for (const model::Node& n : m.nodes) {
        if (n.output <= from)
            continue;
        std::vector<const cpu::Tensor*> inputs;
        for (TensorId t : n.inputs)
            inputs.push_back(&values[t]);
        values[n.output] = cpu::runNode(n, inputs, kBlend);
    }
    return std::move(values[m.output].data);
}

double runOpCase(vk::Context& context, const OpCase& c, int h, int w, std::uint32_t seed, Precision precision)
{
    ModelBuilder b(seed);
    const TensorId lifted = b.conv(model::kInputTensor, 3, c.channels, 1);
    const model::Model m = b.finish(c.build(b, lifted, c.channels));
    const std::vector<float> input = b.uniform(std::size_t(3) * h * w, 0.f, 4.f);

    render::NetworkProbe probe(context, m, h, w, precision);
    probe.setStyleWeights(kBlend);
    const std::vector<float> gpu = probe.run(input);
    std::optional<std::vector<float>> liftedValues = probe.tensor(lifted);
    if (!liftedValues)
        throw std::runtime_error("the engine did not keep the lifted input tensor");
    cpu::Tensor start(probe.shapes()[lifted]);
    start.data = std::move(*liftedValues);
    return relativeError(gpu, cpuFrom(m, lifted, std::move(start)));
}

// The whole network from its input on both sides, all style slots blended equally.
class NetworkCase {
public:
    explicit NetworkCase(const model::Model& m) : model_(m), weights_(m.styles.size(), 1.f / float(m.styles.size()))
    {
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> pixel(0.f, 255.f);
        input_ = cpu::Tensor({3, kNetworkSide, kNetworkSide});
        for (int ch = 0; ch < 3; ++ch)
            for (std::size_t i = 0; i < input_.planeSize(); ++i)
                input_.plane(ch)[i] = pixel(rng) * m.mapping.inScale[ch] + m.mapping.inBias[ch];
    }

    double run(vk::Context& context, Precision precision)
    {
        if (!reference_)  // once: the CPU reference does not depend on the kernel or precision
            reference_ = cpu::runNetwork(model_, input_, weights_).data;
        render::NetworkProbe probe(context, model_, kNetworkSide, kNetworkSide, precision, false);
        probe.setStyleWeights(weights_);
        return relativeError(probe.run(input_.data), *reference_);
    }

private:
    const model::Model& model_;
    std::vector<float> weights_;
    cpu::Tensor input_;
    std::optional<std::vector<float>> reference_;
};

}  // namespace

std::string shapeText(int c, int h, int w)
{
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

void printCheckResult(const CheckResult& r)
{
    if (r.failure.empty())
        std::printf("  %s  %-18s %-5s %-40s %-10s %9.2e  %7.0e\n", r.passed ? "PASS" : "FAIL", r.kernel.c_str(),
                    r.precision.c_str(), r.name.c_str(), r.input.c_str(), r.error, r.tolerance);
    else
        std::printf("  FAIL  %-18s %-5s %-40s %-10s  error: %s\n", r.kernel.c_str(), r.precision.c_str(),
                    r.name.c_str(), r.input.c_str(), r.failure.c_str());
    std::fflush(stdout);
}

std::vector<CheckResult> runKernelCheck(vk::Context& context, const CheckOptions& options)
{
    std::vector<Precision> precisions{Precision::Fp32};
    if (context.info().fp16Storage)
        precisions.push_back(Precision::Fp16Storage);
    else
        std::printf("  (fp16: skipped, the device has no 16-bit storage)\n");
    std::printf("  %-4s  %-18s %-5s %-40s %-10s %9s  %7s\n", "", "kernel", "prec", "case", "input", "rel.error",
                "limit");

    NetworkCase network(options.network);
    ScopedEnvironment kernelVariable("STYLIZE_CONV_KERNEL");      // read whenever a Conv2dOp is built
    ScopedEnvironment reductionVariable("STYLIZE_IN_REDUCTION");  // read whenever an InstanceNormOp is built
    std::vector<CheckResult> results;
    auto runCases = [&](const std::string& label, Precision precision) {
        CheckResult base;
        base.kernel = label;
        base.precision = render::precisionName(precision);
        base.tolerance = precision == Precision::Fp32 ? 1e-4 : 1e-2;
        std::uint32_t seed = 1;
        for (const OpCase& c : kCases) {
            CheckResult r = base;
            const int h = options.quick ? c.quickH : c.h, w = options.quick ? c.quickW : c.w;
            r.name = c.name;
            r.input = shapeText(c.channels, h, w);
            results.push_back(checkOne(r, [&] { return runOpCase(context, c, h, w, seed, precision); }));
            ++seed;
        }
        CheckResult r = base;
        r.name = "network " + options.networkName;
        r.input = shapeText(3, kNetworkSide, kNetworkSide);
        results.push_back(checkOne(r, [&] { return network.run(context, precision); }));
    };
    // Every convolution kernel with the device's instance-norm reduction...
    const render::NormReduction defaultReduction = render::defaultNormReduction(context.info());
    reductionVariable.set(render::normReductionName(defaultReduction));
    for (render::ConvKernel kernel : render::availableConvKernels(context.info())) {
        kernelVariable.set(render::convKernelName(kernel));
        for (Precision precision : precisions) {
            // Half math applies to fp16 plans only: an fp32 plan would run direct again.
            if (render::halfMathKernel(kernel) && precision != Precision::Fp16Storage)
                continue;
            runCases(render::convKernelName(kernel), precision);
        }
    }
    // ...then every other reduction the device can run, with its default kernel.
    const render::ConvKernel defaultKernel = render::defaultConvKernel(context.info());
    kernelVariable.set(render::convKernelName(defaultKernel));
    for (render::NormReduction reduction : render::availableNormReductions(context.info())) {
        if (reduction == defaultReduction)
            continue;
        reductionVariable.set(render::normReductionName(reduction));
        for (Precision precision : precisions) {
            if (render::halfMathKernel(defaultKernel) && precision != Precision::Fp16Storage)
                continue;
            runCases(std::string(render::convKernelName(defaultKernel)) + "+IN-" + render::normReductionName(reduction),
                     precision);
        }
    }
    return results;
}

}  // namespace stylize::gpucheck
