// Names of VkResult codes and the throwing check() used around every Vulkan call.
#include "vk/error.h"

namespace stylize::vk {

const char* resultName(VkResult result)
{
    switch (result) {
#define STYLIZE_RESULT(r) \
    case r: return #r;
        STYLIZE_RESULT(VK_SUCCESS)
        STYLIZE_RESULT(VK_NOT_READY)
        STYLIZE_RESULT(VK_TIMEOUT)
        STYLIZE_RESULT(VK_INCOMPLETE)
        STYLIZE_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
        STYLIZE_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        STYLIZE_RESULT(VK_ERROR_INITIALIZATION_FAILED)
        STYLIZE_RESULT(VK_ERROR_DEVICE_LOST)
        STYLIZE_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
        STYLIZE_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
        STYLIZE_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
        STYLIZE_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
        STYLIZE_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
        STYLIZE_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
        STYLIZE_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
        STYLIZE_RESULT(VK_ERROR_FRAGMENTED_POOL)
        STYLIZE_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
        STYLIZE_RESULT(VK_ERROR_UNKNOWN)
#undef STYLIZE_RESULT
    default: return "VkResult(other)";
    }
}

void check(VkResult result, const char* call, const std::string& context)
{
    if (result == VK_SUCCESS)
        return;
    std::string message = std::string(call) + " failed: " + resultName(result);
    if (!context.empty())
        message += " (" + context + ")";
    throw VulkanError(message, result);
}

}  // namespace stylize::vk
