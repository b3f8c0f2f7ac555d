// The bench: every model at every size and precision through render::Stylizer, wall time
// per frame, GPU time per op class and the arithmetic throughput that gives.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "image.h"
#include "model/model.h"
#include "ops/conv_kernel.h"

namespace stylize::vk {
class Context;
}

namespace stylize::gpucheck {

struct BenchModel {
    std::filesystem::path file;
    model::Model model;
};

struct BenchOptions {
    std::vector<render::Size> sizes;
    int runs = 10;          // timed runs after the warm-up
    double peakTflops = 0;  // the device's fp32 peak (0: unknown)
    // The convolution kernels to bench, each forced through STYLIZE_CONV_KERNEL for its
    // rows (a half-math kernel in fp16 rows only); empty: whatever the environment gives.
    std::vector<render::ConvKernel> kernels;
};

struct BenchResult {
    std::string model;      // the file's name
    std::string precision;  // "fp32", "fp16"
    std::string kernel;     // the convolution kernel the plan runs (a 9x9 layer may still run direct)
    render::Size size;
    float steady = 0;  // OutputLook::steady of the row (a Steady row: 1, its four dispatches timed)
    int runs = 0;
    double firstMs = 0;   // the warm-up run: plan, allocations, pipeline compiles, one frame
    double medianMs = 0;  // wall time per frame, frame upload and readback included
    double minMs = 0;
    double fps = 0;
    double gpuMs = 0;         // median of the summed per-dispatch GPU times (0 without timestamps)
    double gflop = 0;         // 2 x multiply-adds of one frame
    double gflops = 0;        // gflop over the wall time
    double gpuGflops = 0;     // gflop over the GPU time
    double peakPercent = -1;  // gpuGflops (or gflops without timestamps) of the peak; -1 without one
    std::string failure;      // why the row could not run, else empty
    // Median GPU ms per op class ("conv", "instance norm", ...), in table order.
    std::vector<std::pair<std::string, double>> classMs;
};

// Runs the rows in order (printing a line as each finishes); a row that throws is kept
// with its failure and the rest still run. After every model's rows, one Steady row per
// size: the first model at steady 1, in fp16 where the device has 16-bit storage (Steady's
// cost depends on the size, not the model).
std::vector<BenchResult> runBench(vk::Context& context, const std::vector<BenchModel>& models,
                                  const BenchOptions& options);
void printBenchTables(const std::vector<BenchResult>& results);

}  // namespace stylize::gpucheck
