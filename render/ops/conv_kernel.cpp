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
    }
    return "?";
}

std::vector<ConvKernel> availableConvKernels(const vk::DeviceInfo& info)
{
    std::vector<ConvKernel> kernels{ConvKernel::Direct};
    if (info.subgroupSize == 16)
        kernels.push_back(ConvKernel::Subgroup);
    return kernels;
}

ConvKernel defaultConvKernel(const vk::DeviceInfo& info)
{
    return info.type == VK_PHYSICAL_DEVICE_TYPE_CPU && info.subgroupSize == 16 ? ConvKernel::Subgroup
                                                                               : ConvKernel::Direct;
}

ConvKernel requestedConvKernel(const vk::DeviceInfo& info)
{
    const char* env = std::getenv(kVariable);
    if (!env || !*env)
        return defaultConvKernel(info);
    const std::string wanted = env;
    for (ConvKernel k : {ConvKernel::Direct, ConvKernel::Subgroup}) {
        if (wanted != convKernelName(k))
            continue;
        const auto available = availableConvKernels(info);
        if (std::find(available.begin(), available.end(), k) == available.end())
            throw std::invalid_argument(std::string(kVariable) + "=" + wanted + ": device '" + info.name +
                                        "' cannot run that kernel (subgroup size " + std::to_string(info.subgroupSize) +
                                        "); it can run: " + choices(info));
        return k;
    }
    throw std::invalid_argument(std::string(kVariable) + "=" + wanted + " is not a convolution kernel; device '" +
                                info.name + "' can run: " + choices(info));
}

ConvKernel chooseConvKernel(const vk::DeviceInfo& info, const model::Conv& conv)
{
    const ConvKernel k = requestedConvKernel(info);
    if (k == ConvKernel::Subgroup && !subgroupFits(conv))
        return ConvKernel::Direct;
    return k;
}

}  // namespace stylize::render
