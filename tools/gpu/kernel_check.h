// The kernel check: small seeded random models and one real style pack on the GPU against
// the CPU reference, once per convolution kernel the device can run and storage precision,
// then once per other instance-norm reduction the device can run (with its default kernel).
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::vk {
class Context;
}

namespace stylize::gpucheck {

struct CheckResult {
    std::string name;       // "conv 3x3 s1 reflect", "network default-light.stylepack"
    std::string kernel;     // "direct", "subgroup", "direct+IN-shared"
    std::string precision;  // "fp32", "fp16"
    std::string input;      // the tested ops' input, channels x height x width ("20x37x70")
    double error = 0;       // max |gpu - cpu| / max(1, max |cpu|)
    double tolerance = 0;
    bool passed = false;
    std::string failure;  // why it could not run (an exception's message), else empty
};

struct CheckOptions {
    bool quick = false;    // the smallest shapes
    model::Model network;  // the whole-network case (a style pack), run at 64x64
    std::string networkName;
};

// One PASS/FAIL line in the check's table (the frame check's too).
void printCheckResult(const CheckResult& r);

// "CxHxW", CheckResult::input's form.
std::string shapeText(int c, int h, int w);

// Fills r's error from run() (an exception becomes r.failure), judges it against
// r.tolerance, prints its line and returns it: every case of both checks goes through here.
template <typename Run>
CheckResult checkOne(CheckResult r, Run&& run)
{
    try {
        r.error = run();
        r.passed = r.error <= r.tolerance;
    } catch (const std::exception& e) {
        r.failure = e.what();
    }
    printCheckResult(r);
    return r;
}

// Runs every case, printing a PASS/FAIL line as each finishes. Leaves STYLIZE_CONV_KERNEL
// as it found it.
std::vector<CheckResult> runKernelCheck(vk::Context& context, const CheckOptions& options);

}  // namespace stylize::gpucheck
