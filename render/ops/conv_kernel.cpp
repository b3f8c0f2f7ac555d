// Convolution kernel choice per device and layer; STYLIZE_CONV_KERNEL forces one.
#include "ops/conv_kernel.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "vk/context.h"

namespace stylize::render {
namespace {

constexpr const char* kVariable = "STYLIZE_CONV_KERNEL";

bool subgroupFits(const model::Conv& conv)
{
    // The kernel unrolls up to 9 tap columns and keeps a 16-column input window.
    return conv.kernelW <= 9 && 3 * conv.stride + conv.kernelW <= 16;
}

constexpr std::uint32_t kTiledBudget = 16384;

std::string choices(const vk::DeviceInfo& info)
{
    std::string s;
    for (ConvKernel k : availableConvKernels(info))
        s += (s.empty() ? "" : ", ") + std::string(convKernelName(k));
    return s;
}

}  // namespace

const char* convKernelName(ConvKernel kernel)
{
    switch (kernel) {
        case ConvKernel::Direct:
            return "direct";
        case ConvKernel::Subgroup:
            return "subgroup";
        case ConvKernel::Tiled:
            return "tiled";
        case ConvKernel::DirectF16:
            return "direct-f16";
        case ConvKernel::TiledF16:
            return "tiled-f16";
    }
    return "?";
}

bool halfMathKernel(ConvKernel kernel)
{
    return kernel == ConvKernel::DirectF16 || kernel == ConvKernel::TiledF16;
}

ConvKernel planConvKernel(ConvKernel kernel, bool fp16Plan)
{
    if (fp16Plan || !halfMathKernel(kernel))
        return kernel;
    return kernel == ConvKernel::TiledF16 ? ConvKernel::Tiled : ConvKernel::Direct;
}

std::vector<ConvKernel> availableConvKernels(const vk::DeviceInfo& info)
{
    std::vector<ConvKernel> kernels{ConvKernel::Direct, ConvKernel::Tiled};
    if (info.fp16Storage && info.fp16Arithmetic) {
        kernels.push_back(ConvKernel::DirectF16);
        kernels.push_back(ConvKernel::TiledF16);
    }
    if (info.subgroupSize == 16)
        kernels.push_back(ConvKernel::Subgroup);
    return kernels;
}

ConvKernel defaultConvKernel(const vk::DeviceInfo& info)
{
    const bool cpu = info.type == VK_PHYSICAL_DEVICE_TYPE_CPU;
    if (cpu && info.subgroupSize == 16)
        return ConvKernel::Subgroup;
    if (!cpu && info.fp16Storage && info.fp16Arithmetic)
        return ConvKernel::DirectF16;
    return ConvKernel::Direct;
}

ConvKernel requestedConvKernel(const vk::DeviceInfo& info)
{
    const char* env = std::getenv(kVariable);
    if (!env || !*env)
        return defaultConvKernel(info);
    const std::string wanted = env;
    for (ConvKernel k :
         {ConvKernel::Direct, ConvKernel::Subgroup, ConvKernel::Tiled, ConvKernel::DirectF16, ConvKernel::TiledF16}) {
        if (wanted != convKernelName(k))
            continue;
        const auto available = availableConvKernels(info);
        if (std::find(available.begin(), available.end(), k) == available.end())
            throw std::invalid_argument(std::string(kVariable) + "=" + wanted + ": device '" + info.name +
                                        "' cannot run that kernel (subgroup size " + std::to_string(info.subgroupSize) +
                                        (info.fp16Arithmetic ? "" : ", no shaderFloat16") +
                                        "); it can run: " + choices(info));
        return k;
    }
    throw std::invalid_argument(std::string(kVariable) + "=" + wanted + " is not a convolution kernel; device '" +
                                info.name + "' can run: " + choices(info));
}

ConvKernel chooseConvKernel(const vk::DeviceInfo& info, const model::Conv& conv, bool fp16Plan)
{
    const ConvKernel k = planConvKernel(requestedConvKernel(info), fp16Plan);
    if (k == ConvKernel::Subgroup && !subgroupFits(conv))
        return ConvKernel::Direct;
    if ((k == ConvKernel::Tiled || k == ConvKernel::TiledF16) &&
        !tiledShape(conv, 1, 1, info.maxComputeSharedMemory, k == ConvKernel::TiledF16))
        return k == ConvKernel::TiledF16 ? ConvKernel::DirectF16 : ConvKernel::Direct;
    return k;
}

std::optional<TiledShape> tiledShape(const model::Conv& conv, int inC4, int outC4, std::uint32_t sharedLimit,
                                     bool halfTiles)
{
    if (conv.kernelH > 5 || conv.kernelW > 5)
        return std::nullopt;  // a 9x9 layer has 3 channels: no depth to tile, and its window is large
    // 0: the device did not say; every Vulkan device has the 16 KiB the budget asks for.
    const std::uint32_t budget = sharedLimit ? std::min(kTiledBudget, sharedLimit) : kTiledBudget;
    TiledShape shape;
    shape.ocBlock = std::clamp(outC4, 1, 4);
    for (int px : {conv.stride == 1 ? 4 : 2, 1}) {
        const int patchW = (8 * px - 1) * conv.stride + conv.kernelW;
        const int patchH = 7 * conv.stride + conv.kernelH;
        const std::uint32_t perStep =
            (halfTiles ? 8u : 16u) * (patchW * patchH + shape.ocBlock * conv.kernelH * conv.kernelW * 4);
        if (perStep > budget)
            continue;
        shape.px = px;
        shape.icc = std::clamp(int(budget / perStep), 1, std::clamp(inC4, 1, 8));
        shape.sharedBytes = perStep * shape.icc;
        return shape;
    }
    return std::nullopt;
}

}  // namespace stylize::render
