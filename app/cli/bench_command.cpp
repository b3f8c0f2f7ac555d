// stylize-cli bench: median frame time over warm runs, per-op GPU time and GFLOP/s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "stylizer.h"

namespace stylize::cli {
namespace {

render::Image syntheticFrame(render::Size size)
{
    // Smooth gradients with some structure: instance norm sees realistic statistics.
    render::Image img;
    img.width = size.width;
    img.height = size.height;
    img.rgba.resize(std::size_t(size.width) * size.height * 4);
    for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
            std::uint8_t* p = &img.rgba[(std::size_t(y) * size.width + x) * 4];
            p[0] = static_cast<std::uint8_t>(255 * x / std::max(1, size.width - 1));
            p[1] = static_cast<std::uint8_t>(255 * y / std::max(1, size.height - 1));
            p[2] = static_cast<std::uint8_t>(((x / 16 + y / 16) % 2) * 200 + (x * y) % 55);
            p[3] = 255;
        }
    return img;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

}  // namespace

int benchCommand(const std::vector<std::string>& args)
{
    Arguments a(args, {"model", "style", "style-image", "size", "runs", "precision", "device", "scene-light", "steady"},
                {"json"});
    const render::Size size = a.size("size").empty() ? render::Size{256, 256} : a.size("size");
    const int runs = a.integer("runs", 5, 1, 1000);
    EngineSetup engine(a, /*timestamps=*/true);
    render::Stylizer& stylizer = engine.stylizer();
    const render::Image frame = syntheticFrame(size);
    render::Image result;

    auto t0 = std::chrono::steady_clock::now();
    stylizer.run(frame.view(), size, size, result);  // builds the plan, compiles pipelines
    const double firstMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

    std::vector<double> frameMs;
    std::map<std::string, std::vector<double>> opMs;
    std::vector<std::string> opOrder;
    for (int i = 0; i < runs; ++i) {
        auto start = std::chrono::steady_clock::now();
        stylizer.run(frame.view(), size, size, result);
        frameMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        for (const vk::OpTiming& t : stylizer.lastTimings()) {
            if (!opMs.count(t.label))
                opOrder.push_back(t.label);
            opMs[t.label].push_back(t.ms);
        }
    }
    const double ms = median(frameMs);
    const double gflop = model::flops(engine.model(), size.height, size.width) * 1e-9;
    const double gflops = gflop / (ms * 1e-3);
    const char* precision = render::precisionName(stylizer.precision());
    const std::string& device = engine.context().info().name;

    if (a.flag("json")) {
        std::printf("{\"model\": \"%s\", \"device\": \"%s\", \"precision\": \"%s\", \"width\": %d, \"height\": %d, "
                    "\"runs\": %d, \"median_ms\": %.3f, \"min_ms\": %.3f, \"first_ms\": %.3f, \"gflop\": %.4f, "
                    "\"gflops\": %.3f, \"ops\": [",
                    engine.model().name.c_str(), device.c_str(), precision, size.width, size.height, runs, ms,
                    *std::min_element(frameMs.begin(), frameMs.end()), firstMs, gflop, gflops);
        for (std::size_t i = 0; i < opOrder.size(); ++i)
            std::printf("%s{\"op\": \"%s\", \"ms\": %.3f}", i ? ", " : "", opOrder[i].c_str(), median(opMs[opOrder[i]]));
        std::printf("]}\n");
        return 0;
    }
    std::printf("%s on %s (%s), %dx%d, %d warm runs\n", engine.model().name.c_str(), device.c_str(), precision,
                size.width, size.height, runs);
    std::printf("  median %.1f ms/frame (min %.1f, first run with set-up %.1f ms), %.2f GFLOP -> %.2f GFLOP/s\n", ms,
                *std::min_element(frameMs.begin(), frameMs.end()), firstMs, gflop, gflops);
    if (!opOrder.empty()) {
        double gpuTotal = 0;
        for (const auto& label : opOrder)
            gpuTotal += median(opMs[label]);
        std::printf("  GPU time per op (median, %.1f ms in all):\n", gpuTotal);
        for (const auto& label : opOrder) {
            const double m = median(opMs[label]);
            std::printf("    %8.2f ms %5.1f%%  %s\n", m, 100.0 * m / gpuTotal, label.c_str());
        }
    }
    return 0;
}

}  // namespace stylize::cli
