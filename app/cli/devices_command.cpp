// stylize-cli devices: the Vulkan devices and what they support.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "vk/context.h"

namespace stylize::cli {

int devicesCommand(const std::vector<std::string>& args)
{
    Arguments a(args, {}, {});
    auto devices = vk::Context::listDevices();
    if (devices.empty()) {
        std::printf("No Vulkan devices found.\n");
        return 1;
    }
    for (const vk::DeviceInfo& d : devices)
        std::printf("%d: %s (%s, Vulkan %u.%u, fp16 storage %s, subgroup %u)\n", d.index, d.name.c_str(),
                    d.typeName(), VK_API_VERSION_MAJOR(d.apiVersion), VK_API_VERSION_MINOR(d.apiVersion),
                    d.fp16Storage ? "yes" : "no", d.subgroupSize);
    return 0;
}

}  // namespace stylize::cli
