// Shared pieces of the GPU tests: one Vulkan context per process (tests skip with a
// clear message without a device), seeded random models, error measures.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cpu/tensor.h"
#include "model/model.h"
#include "ops/gpu_op.h"
#include "vk/context.h"

namespace stylize::test {

// The process-wide context, or null (with the reason in vulkanUnavailableReason()).
vk::Context* vulkanContext();
const std::string& vulkanUnavailableReason();

#define STYLIZE_REQUIRE_VULKAN()                                                                \
    do {                                                                                        \
        if (!::stylize::test::vulkanContext())                                                  \
            GTEST_SKIP() << "no Vulkan device: " << ::stylize::test::vulkanUnavailableReason(); \
    } while (0)

// max |actual - expected| over max(1, max |expected|): error relative to the tensor's range.
double relativeError(const std::vector<float>& actual, const std::vector<float>& expected);

// Tolerance by storage precision: fp32 1e-4, fp16 1e-2 (fp16 has an 11-bit mantissa).
double tolerance(render::Precision precision);

std::vector<float> randomValues(std::mt19937& rng, std::size_t n, float lo, float hi);

// A conv with seeded random weights (scaled by fan-in so activations stay O(1)).
model::Conv randomConv(std::mt19937& rng, int in, int out, int k, int stride, model::Padding padding,
                       bool upsample = false);

}  // namespace stylize::test
