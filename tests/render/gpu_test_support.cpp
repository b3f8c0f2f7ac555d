// GPU test support: the lazily created context and the random model pieces.
#include "gpu_test_support.h"

#include <algorithm>
#include <cmath>

#include "vk/error.h"
#include "vk/validation.h"

namespace stylize::test {
namespace {
std::string gReason;

// Under STYLIZE_VALIDATION=1 every error the validation layer reported (each printed to
// stderr as it happened, inside the test that caused it) fails the run.
class ValidationErrors : public ::testing::Environment {
public:
    void TearDown() override
    {
        if (vk::validationRequested()) {
            EXPECT_EQ(vk::validationErrorCount(), 0u) << "Vulkan validation errors (see 'Vulkan validation error:' above)";
        }
    }
};
[[maybe_unused]] ::testing::Environment* const gValidation = ::testing::AddGlobalTestEnvironment(new ValidationErrors);
}  // namespace

vk::Context* vulkanContext()
{
    static std::unique_ptr<vk::Context> context = [] {
        try {
            return std::make_unique<vk::Context>();
        } catch (const std::exception& e) {
            gReason = e.what();
            return std::unique_ptr<vk::Context>();
        }
    }();
    return context.get();
}

const std::string& vulkanUnavailableReason() { return gReason; }

double relativeError(const std::vector<float>& actual, const std::vector<float>& expected)
{
    if (actual.size() != expected.size())
        return INFINITY;
    double maxDiff = 0, maxRef = 1;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const double d = std::abs(double(actual[i]) - double(expected[i]));
        maxDiff = std::isnan(d) ? INFINITY : std::max(maxDiff, d);
        maxRef = std::max(maxRef, std::abs(double(expected[i])));
    }
    return maxDiff / maxRef;
}

double tolerance(render::Precision precision) { return precision == render::Precision::Fp32 ? 1e-4 : 1e-2; }

std::vector<float> randomValues(std::mt19937& rng, std::size_t n, float lo, float hi)
{
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

model::Conv randomConv(std::mt19937& rng, int in, int out, int k, int stride, model::Padding padding, bool upsample)
{
    model::Conv c;
    c.inChannels = in;
    c.outChannels = out;
    c.kernelH = c.kernelW = k;
    c.stride = stride;
    c.padding = padding;
    c.upsample2x = upsample;
    const float scale = 1.f / std::sqrt(float(in * k * k));
    c.weights = randomValues(rng, std::size_t(out) * in * k * k, -scale, scale);
    c.bias = randomValues(rng, out, -0.5f, 0.5f);
    return c;
}

}  // namespace stylize::test
