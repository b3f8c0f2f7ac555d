// stylize-cli devices: the Vulkan devices and what they support, and the cameras.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "ops/conv_kernel.h"
#include "ops/norm_reduction.h"
#include "video/camera_list.h"
#include "video/source_spec.h"
#include "vk/context.h"

namespace stylize::cli {

int devicesCommand(const std::vector<std::string>& args)
{
    Arguments a(args, {}, {});
    auto devices = vk::Context::listDevices();
    std::printf("Vulkan devices:\n");
    if (devices.empty())
        std::printf("  none found (install your GPU's Vulkan driver, or mesa-vulkan-drivers for the CPU)\n");
    for (const vk::DeviceInfo& d : devices) {
        std::printf("  %d: %s (%s, Vulkan %u.%u, fp16 storage %s, subgroup %u)\n", d.index, d.name.c_str(),
                    d.typeName(), VK_API_VERSION_MAJOR(d.apiVersion), VK_API_VERSION_MINOR(d.apiVersion),
                    d.fp16Storage ? "yes" : "no", d.subgroupSize);
        std::string names;
        for (render::ConvKernel k : render::availableConvKernels(d))
            names += (names.empty() ? "" : ", ") + std::string(render::convKernelName(k));
        std::printf("     convolution kernels: %s (default %s; STYLIZE_CONV_KERNEL=NAME forces one)\n",
                    names.c_str(), render::convKernelName(render::defaultConvKernel(d)));
        std::string reductions;
        for (render::NormReduction r : render::availableNormReductions(d))
            reductions += (reductions.empty() ? "" : ", ") + std::string(render::normReductionName(r));
        std::printf("     instance-norm reductions: %s (default %s; STYLIZE_IN_REDUCTION=NAME forces one)\n",
                    reductions.c_str(), render::normReductionName(render::defaultNormReduction(d)));
    }

    std::printf("Cameras (live --source NAME or DEVICE):\n");
    const auto cameras = video::listCameras();
    if (cameras.empty())
        std::printf("  none found\n");
    for (const video::CameraInfo& camera : cameras) {
        std::printf("  %s: %s\n", camera.device.c_str(), camera.name.c_str());
        for (const video::CameraMode& mode : camera.modes)
            std::printf("      %s\n", video::describe(mode).c_str());
    }
    std::printf("Test pattern: live --source testsrc (%s)\n", video::kTestPatternGraph);
    return devices.empty() ? 1 : 0;
}

}  // namespace stylize::cli
