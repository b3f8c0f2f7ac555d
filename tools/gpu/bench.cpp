// The bench: one Stylizer per row (model, size, precision), a warm-up run, then timed runs
// on a synthetic frame; GPU times come from the Stylizer's per-dispatch timestamps.
#include "bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "ops/conv_kernel.h"
#include "scoped_environment.h"
#include "stylizer.h"
#include "vk/context.h"

namespace stylize::gpucheck {
namespace {

using render::Precision;

// Op classes in table order; a dispatch's label says which one it is (render/network.cpp,
// render/ops/*: "conv NAME +IN", "... [IN stats]", "op NAME", "frame to tensor", "steady: ...").
const char* const kClasses[] = {"conv", "deconv", "instance norm", "elementwise", "frame in/out", "steady", "other"};

const char* opClass(const std::string& label)
{
    if (label.find("[IN ") != std::string::npos)
        return "instance norm";
    if (label.starts_with("conv "))
        return "conv";
    if (label.starts_with("deconv "))
        return "deconv";
    if (label.starts_with("op "))
        return "elementwise";
    if (label == "frame to tensor" || label == "tensor to frame")
        return "frame in/out";
    if (label.starts_with("steady: "))
        return "steady";
    return "other";
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t half = values.size() / 2;
    return values.size() % 2 ? values[half] : (values[half - 1] + values[half]) / 2;
}

// Pixel (x, y) of the synthetic frame: a horizontal ramp in red, a vertical one in green,
// a 16-pixel checkerboard with fine texture in blue, so instance norm sees statistics
// like a real image's.
std::uint8_t syntheticValue(int channel, int x, int y, render::Size size)
{
    switch (channel) {
        case 0:
            return std::uint8_t(255 * x / std::max(1, size.width - 1));
        case 1:
            return std::uint8_t(255 * y / std::max(1, size.height - 1));
        case 2:
            return std::uint8_t(((x / 16 + y / 16) % 2 ? 200 : 0) + (x * y) % 55);
        default:
            return 255;
    }
}

render::Image syntheticFrame(render::Size size)
{
    render::Image image;
    image.width = size.width;
    image.height = size.height;
    image.rgba.resize(std::size_t(size.width) * size.height * 4);
    for (std::size_t i = 0; i < image.rgba.size(); ++i) {
        const std::size_t pixel = i / 4;
        image.rgba[i] = syntheticValue(int(i % 4), int(pixel % size.width), int(pixel / size.width), size);
    }
    return image;
}

void measure(vk::Context& context, const BenchModel& m, Precision precision, int runs, double peakTflops,
             BenchResult& r)
{
    r.kernel = render::convKernelName(
        render::planConvKernel(render::requestedConvKernel(context.info()), precision == Precision::Fp16Storage));
    render::StylizerOptions options;
    options.precision = precision;
    options.timestamps = true;
    render::Stylizer stylizer(context, m.model, options);
    if (r.steady > 0)
        stylizer.setLook({1.f, false, 0.f, r.steady});
    const render::Image frame = syntheticFrame(r.size);
    render::Image result;
    auto timedRun = [&] {
        const auto start = std::chrono::steady_clock::now();
        stylizer.run(frame.view(), r.size, r.size, result);
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    r.firstMs = timedRun();
    std::vector<double> wall, gpu;
    std::map<std::string, std::vector<double>> perClass;
    for (int i = 0; i < runs; ++i) {
        wall.push_back(timedRun());
        std::map<std::string, double> sums;
        double total = 0;
        for (const vk::OpTiming& t : stylizer.lastTimings()) {
            sums[opClass(t.label)] += t.ms;
            total += t.ms;
        }
        for (const auto& [name, ms] : sums)
            perClass[name].push_back(ms);
        gpu.push_back(total);
    }
    r.runs = runs;
    r.medianMs = median(wall);
    r.minMs = *std::min_element(wall.begin(), wall.end());
    r.fps = 1000.0 / r.medianMs;
    r.gpuMs = median(gpu);
    for (const char* name : kClasses)
        if (perClass.count(name))
            r.classMs.emplace_back(name, median(perClass[name]));
    r.gflop = model::flops(m.model, r.size.height, r.size.width) * 1e-9;
    r.gflops = r.gflop / (r.medianMs * 1e-3);
    r.gpuGflops = r.gpuMs > 0 ? r.gflop / (r.gpuMs * 1e-3) : 0;
    if (peakTflops > 0)
        r.peakPercent = 100.0 * (r.gpuMs > 0 ? r.gpuGflops : r.gflops) / (peakTflops * 1000.0);
}

std::string sizeText(render::Size s)
{
    return std::to_string(s.width) + "x" + std::to_string(s.height);
}

// The row's name in the tables: its model's file, "+steady" on a Steady row.
std::string rowName(const BenchResult& r)
{
    return r.model + (r.steady > 0 ? " +steady" : "");
}

}  // namespace

std::vector<BenchResult> runBench(vk::Context& context, const std::vector<BenchModel>& models,
                                  const BenchOptions& options)
{
    std::vector<Precision> precisions{Precision::Fp32};
    if (context.info().fp16Storage)
        precisions.push_back(Precision::Fp16Storage);
    else
        std::printf("  (fp16: skipped, the device has no 16-bit storage)\n");
    ScopedEnvironment kernelVariable("STYLIZE_CONV_KERNEL");  // read whenever a Conv2dOp is built
    std::vector<std::optional<render::ConvKernel>> kernels(options.kernels.begin(), options.kernels.end());
    if (kernels.empty())
        kernels.push_back(std::nullopt);  // as the environment says
    std::vector<BenchResult> results;
    auto row = [&](const BenchModel& m, render::Size size, Precision precision,
                   std::optional<render::ConvKernel> kernel, float steady = 0) {
        if (kernel)
            kernelVariable.set(render::convKernelName(*kernel));
        BenchResult r;
        r.model = m.file.filename().string();
        r.steady = steady;
        r.precision = render::precisionName(precision);
        r.kernel = kernel ? render::convKernelName(*kernel) : "";
        r.size = size;
        std::printf("  %s %s %s%s%s: ", rowName(r).c_str(), r.precision.c_str(), sizeText(size).c_str(),
                    kernel ? " " : "", r.kernel.c_str());
        std::fflush(stdout);
        try {
            measure(context, m, precision, options.runs, options.peakTflops, r);
            std::printf("warm-up %.0f ms, median %.2f ms (%.1f fps), GPU %.2f ms\n", r.firstMs, r.medianMs, r.fps,
                        r.gpuMs);
        } catch (const std::exception& e) {
            r.failure = e.what();
            std::printf("error: %s\n", e.what());
        }
        std::fflush(stdout);
        results.push_back(std::move(r));
    };
    for (const BenchModel& m : models)
        for (render::Size size : options.sizes)
            for (Precision precision : precisions)
                for (const std::optional<render::ConvKernel>& kernel : kernels)
                    // A half-math kernel in an fp32 plan would run its fp32 twin: that kernel's own row.
                    if (!(kernel && render::halfMathKernel(*kernel) && precision != Precision::Fp16Storage))
                        row(m, size, precision, kernel);
    if (!models.empty()) {
        kernelVariable.restore();
        for (render::Size size : options.sizes)
            row(models.front(), size, precisions.back(), std::nullopt, 1.f);
    }
    return results;
}

void printBenchTables(const std::vector<BenchResult>& results)
{
    if (results.empty())
        return;
    std::printf("\n%-32s %-4s %-10s %-9s %9s %9s %8s %8s %7s %8s %8s %6s\n", "model", "prec", "kernel", "size",
                "first ms", "median ms", "fps", "GPU ms", "GFLOP", "GFLOP/s", "GPU GF/s", "%peak");
    std::vector<std::string> classes;
    for (const BenchResult& r : results) {
        if (!r.failure.empty()) {
            std::printf("%-32s %-4s %-10s %-9s error: %s\n", rowName(r).c_str(), r.precision.c_str(), r.kernel.c_str(),
                        sizeText(r.size).c_str(), r.failure.c_str());
            continue;
        }
        char peak[16] = "-";
        if (r.peakPercent >= 0)
            std::snprintf(peak, sizeof peak, "%.1f", r.peakPercent);
        std::printf("%-32s %-4s %-10s %-9s %9.1f %9.2f %8.2f %8.2f %7.2f %8.1f %8.1f %6s\n", rowName(r).c_str(),
                    r.precision.c_str(), r.kernel.c_str(), sizeText(r.size).c_str(), r.firstMs, r.medianMs, r.fps,
                    r.gpuMs, r.gflop, r.gflops, r.gpuGflops, peak);
        for (const auto& [name, ms] : r.classMs)
            if (std::find(classes.begin(), classes.end(), name) == classes.end())
                classes.push_back(name);
    }
    if (classes.empty())
        return;  // no timestamps
    std::sort(classes.begin(), classes.end(), [](const std::string& a, const std::string& b) {
        auto rank = [](const std::string& c) {
            return std::find(std::begin(kClasses), std::end(kClasses), c) - kClasses;
        };
        return rank(a) < rank(b);
    });
    std::printf("\nGPU ms per op class (median):\n%-32s %-4s %-10s %-9s", "model", "prec", "kernel", "size");
    for (const std::string& c : classes)
        std::printf(" %13s", c.c_str());
    std::printf("\n");
    for (const BenchResult& r : results) {
        if (!r.failure.empty())
            continue;
        std::printf("%-32s %-4s %-10s %-9s", rowName(r).c_str(), r.precision.c_str(), r.kernel.c_str(),
                    sizeText(r.size).c_str());
        for (const std::string& c : classes) {
            auto it = std::find_if(r.classMs.begin(), r.classMs.end(), [&](const auto& p) { return p.first == c; });
            if (it == r.classMs.end())
                std::printf(" %13s", "-");
            else
                std::printf(" %13.2f", it->second);
        }
        std::printf("\n");
    }
}

}  // namespace stylize::gpucheck
