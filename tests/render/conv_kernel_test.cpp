// Kernel choice per device: convolution kernels (STYLIZE_CONV_KERNEL) and instance-norm
// reductions (STYLIZE_IN_REDUCTION): defaults, forcing, errors.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "ops/conv_kernel.h"
#include "ops/norm_reduction.h"
#include "vk/context.h"

namespace stylize::test {
namespace {

using render::ConvKernel;

// Sets an environment variable for one scope and puts back what was there.
class ForcedVariable {
public:
    ForcedVariable(const char* name, const char* value) : name_(name)
    {
        if (const char* old = std::getenv(name))
            old_ = old;
        if (value)
            setenv(name, value, 1);
        else
            unsetenv(name);
    }
    ~ForcedVariable()
    {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    ForcedVariable(const ForcedVariable&) = delete;
    ForcedVariable& operator=(const ForcedVariable&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

class ForcedKernel : public ForcedVariable {
public:
    explicit ForcedKernel(const char* value) : ForcedVariable("STYLIZE_CONV_KERNEL", value) {}
};

vk::DeviceInfo device(VkPhysicalDeviceType type, std::uint32_t subgroup)
{
    vk::DeviceInfo d;
    d.name = "test device";
    d.type = type;
    d.subgroupSize = subgroup;
    return d;
}

model::Conv conv(int k, int stride)
{
    model::Conv c;
    c.kernelH = c.kernelW = k;
    c.stride = stride;
    return c;
}

TEST(ConvKernelChoice, DefaultsFollowTheDevice)
{
    ForcedKernel none(nullptr);
    const auto lavapipe512 = device(VK_PHYSICAL_DEVICE_TYPE_CPU, 16);
    const auto lavapipe256 = device(VK_PHYSICAL_DEVICE_TYPE_CPU, 8);
    const auto nvidia = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
    const auto intel = device(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, 16);
    EXPECT_EQ(render::defaultConvKernel(lavapipe512), ConvKernel::Subgroup);
    EXPECT_EQ(render::defaultConvKernel(lavapipe256), ConvKernel::Direct);
    EXPECT_EQ(render::defaultConvKernel(nvidia), ConvKernel::Direct);
    EXPECT_EQ(render::defaultConvKernel(intel), ConvKernel::Direct);
    EXPECT_EQ(render::availableConvKernels(lavapipe512).size(), 3u);
    EXPECT_EQ(render::availableConvKernels(nvidia).size(), 2u);
    EXPECT_EQ(render::availableConvKernels(intel).size(), 3u);
    EXPECT_EQ(render::chooseConvKernel(lavapipe512, conv(3, 2)), ConvKernel::Subgroup);
    // Wider than the subgroup kernel's 16-column window: that layer runs direct.
    EXPECT_EQ(render::chooseConvKernel(lavapipe512, conv(11, 1)), ConvKernel::Direct);
}

TEST(ConvKernelChoice, EnvironmentForcesAKernel)
{
    const auto lavapipe512 = device(VK_PHYSICAL_DEVICE_TYPE_CPU, 16);
    const auto intel = device(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, 16);
    {
        ForcedKernel direct("direct");
        EXPECT_EQ(render::chooseConvKernel(lavapipe512, conv(9, 1)), ConvKernel::Direct);
        EXPECT_EQ(render::requestedConvKernel(lavapipe512), ConvKernel::Direct);
    }
    {
        ForcedKernel subgroup("subgroup");
        EXPECT_EQ(render::chooseConvKernel(intel, conv(3, 1)), ConvKernel::Subgroup);
        EXPECT_EQ(render::chooseConvKernel(intel, conv(11, 1)), ConvKernel::Direct);
    }
    {
        // The 9x9 first and last layers (3 channels) have no depth to tile: direct.
        ForcedKernel tiled("tiled");
        EXPECT_EQ(render::chooseConvKernel(intel, conv(3, 2)), ConvKernel::Tiled);
        EXPECT_EQ(render::chooseConvKernel(intel, conv(9, 1)), ConvKernel::Direct);
    }
}

// fp16 arithmetic: GPUs with shaderFloat16 run conv2d_f16 in fp16 plans by default;
// a CPU driver (which emulates half math) keeps its kernel; fp32 plans never get it.
TEST(ConvKernelChoice, HalfMathWhereTheDeviceHasIt)
{
    ForcedKernel none(nullptr);
    auto amd = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 64);
    auto lavapipe = device(VK_PHYSICAL_DEVICE_TYPE_CPU, 16);
    for (vk::DeviceInfo* d : {&amd, &lavapipe})
        d->fp16Storage = d->fp16Arithmetic = true;
    EXPECT_EQ(render::defaultConvKernel(amd), ConvKernel::DirectF16);
    EXPECT_EQ(render::chooseConvKernel(amd, conv(3, 1), true), ConvKernel::DirectF16);
    EXPECT_EQ(render::chooseConvKernel(amd, conv(3, 1), false), ConvKernel::Direct);
    EXPECT_EQ(render::defaultConvKernel(lavapipe), ConvKernel::Subgroup);
    const auto kernels = render::availableConvKernels(lavapipe);
    EXPECT_NE(std::find(kernels.begin(), kernels.end(), ConvKernel::DirectF16), kernels.end());
    {
        ForcedKernel half("direct-f16");
        EXPECT_EQ(render::chooseConvKernel(lavapipe, conv(9, 1), true), ConvKernel::DirectF16);
        EXPECT_EQ(render::chooseConvKernel(lavapipe, conv(9, 1), false), ConvKernel::Direct);
        auto noHalf = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
        noHalf.fp16Storage = true;
        try {
            render::chooseConvKernel(noHalf, conv(3, 1), true);
            FAIL() << "direct-f16 accepted without shaderFloat16";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("no shaderFloat16"), std::string::npos) << e.what();
        }
    }
    auto gpuWithoutHalf = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
    gpuWithoutHalf.fp16Storage = true;
    EXPECT_EQ(render::defaultConvKernel(gpuWithoutHalf), ConvKernel::Direct);
    const auto noHalfKernels = render::availableConvKernels(gpuWithoutHalf);
    EXPECT_EQ(std::find(noHalfKernels.begin(), noHalfKernels.end(), ConvKernel::TiledF16), noHalfKernels.end());
}

// The tiled kernel with half tiles and half math: forced only (as tiled), fp16 plans only;
// an fp32 plan runs tiled, a layer too wide to tile runs direct-f16.
TEST(ConvKernelChoice, TiledHalfMathIsTiledInFp16Plans)
{
    auto nvidia = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
    nvidia.fp16Storage = nvidia.fp16Arithmetic = true;
    const auto kernels = render::availableConvKernels(nvidia);
    EXPECT_NE(std::find(kernels.begin(), kernels.end(), ConvKernel::TiledF16), kernels.end());
    EXPECT_TRUE(render::halfMathKernel(ConvKernel::TiledF16));
    EXPECT_FALSE(render::halfMathKernel(ConvKernel::Tiled));
    ForcedKernel half("tiled-f16");
    EXPECT_EQ(render::chooseConvKernel(nvidia, conv(3, 1), true), ConvKernel::TiledF16);
    EXPECT_EQ(render::chooseConvKernel(nvidia, conv(3, 2), true), ConvKernel::TiledF16);
    EXPECT_EQ(render::chooseConvKernel(nvidia, conv(3, 1), false), ConvKernel::Tiled);
    EXPECT_EQ(render::chooseConvKernel(nvidia, conv(9, 1), true), ConvKernel::DirectF16);
    EXPECT_EQ(render::chooseConvKernel(nvidia, conv(9, 1), false), ConvKernel::Direct);
}

TEST(ConvKernelChoice, TiledShapesFitTheSharedMemoryBudget)
{
    for (int k : {1, 3, 5})
        for (int stride : {1, 2})
            for (std::uint32_t limit : {16384u, 32768u, 49152u}) {
                const auto shape = render::tiledShape(conv(k, stride), 32, 32, limit);
                ASSERT_TRUE(shape) << k << "x" << k << " stride " << stride;
                EXPECT_LE(shape->sharedBytes, 16384u);
                EXPECT_GE(shape->icc, 1);
                EXPECT_EQ(shape->ocBlock, 4);
            }
    EXPECT_FALSE(render::tiledShape(conv(9, 1), 1, 8, 32768));
    // A limit the device did not report (0) is the 16 KiB every Vulkan device has, for the
    // op as for the choice: chooseConvKernel picks tiled, so the op must not fall back.
    for (int stride : {1, 2}) {
        const auto unknown = render::tiledShape(conv(3, stride), 32, 32, 0);
        ASSERT_TRUE(unknown);
        EXPECT_EQ(unknown->sharedBytes, render::tiledShape(conv(3, stride), 32, 32, 16384)->sharedBytes);
    }
    const auto small = render::tiledShape(conv(3, 1), 32, 32, 8192);  // a limit under 16 KiB is kept
    ASSERT_TRUE(small);
    EXPECT_LE(small->sharedBytes, 8192u);
    EXPECT_EQ(render::tiledShape(conv(3, 1), 2, 1, 32768)->ocBlock, 1);  // the 3-channel output layer
    EXPECT_LE(render::tiledShape(conv(3, 1), 2, 8, 32768)->icc, 2);      // no more packs than the input has
    // Half tiles take half the bytes: twice the input packs per step in the same budget.
    for (int stride : {1, 2}) {
        const auto full = render::tiledShape(conv(3, stride), 32, 32, 16384);
        const auto half = render::tiledShape(conv(3, stride), 32, 32, 16384, true);
        ASSERT_TRUE(full && half);
        EXPECT_EQ(half->px, full->px);
        EXPECT_EQ(half->icc, std::min(2 * full->icc, 8));
        EXPECT_LE(half->sharedBytes, 16384u);
    }
}

TEST(ConvKernelChoice, BadNamesAndUnavailableKernelsSaySo)
{
    const auto nvidia = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
    {
        ForcedKernel bogus("winograd");
        try {
            render::chooseConvKernel(nvidia, conv(3, 1));
            FAIL() << "an unknown kernel name was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("STYLIZE_CONV_KERNEL=winograd"), std::string::npos) << what;
            EXPECT_NE(what.find("can run: direct, tiled"), std::string::npos) << what;
        }
    }
    {
        ForcedKernel subgroup("subgroup");
        try {
            render::chooseConvKernel(nvidia, conv(3, 1));
            FAIL() << "a kernel the device cannot run was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("cannot run"), std::string::npos) << what;
            EXPECT_NE(what.find("subgroup size 32"), std::string::npos) << what;
        }
    }
}

TEST(NormReductionChoice, SubgroupWhereTheDeviceHasSubgroupArithmeticAndForcedByName)
{
    using render::NormReduction;
    ForcedVariable plain("STYLIZE_IN_REDUCTION", nullptr);
    auto gpu = device(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32);
    EXPECT_EQ(render::requestedNormReduction(gpu), NormReduction::Shared);
    EXPECT_EQ(render::availableNormReductions(gpu).size(), 1u);
    gpu.subgroupArithmetic = true;
    EXPECT_EQ(render::requestedNormReduction(gpu), NormReduction::Subgroup);
    auto lavapipe = device(VK_PHYSICAL_DEVICE_TYPE_CPU, 8);
    lavapipe.subgroupArithmetic = true;
    EXPECT_EQ(render::requestedNormReduction(lavapipe), NormReduction::Subgroup);
    {
        ForcedVariable shared("STYLIZE_IN_REDUCTION", "shared");
        EXPECT_EQ(render::requestedNormReduction(gpu), NormReduction::Shared);
    }
    {
        ForcedVariable bogus("STYLIZE_IN_REDUCTION", "atomics");
        try {
            render::requestedNormReduction(gpu);
            FAIL() << "an unknown reduction name was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("STYLIZE_IN_REDUCTION=atomics"), std::string::npos) << what;
            EXPECT_NE(what.find("can run: shared, subgroup"), std::string::npos) << what;
        }
    }
    {
        ForcedVariable subgroup("STYLIZE_IN_REDUCTION", "subgroup");
        gpu.subgroupArithmetic = false;
        try {
            render::requestedNormReduction(gpu);
            FAIL() << "a reduction the device cannot run was accepted";
        } catch (const std::invalid_argument& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("no subgroup arithmetic"), std::string::npos) << what;
            EXPECT_NE(what.find("can run: shared"), std::string::npos) << what;
        }
    }
}

}  // namespace
}  // namespace stylize::test
