// The Khronos validation layer with synchronization validation, on request
// (STYLIZE_VALIDATION=1): tests run the engine under it and fail on any error it reports.
#pragma once

#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

namespace stylize::vk {

// STYLIZE_VALIDATION is set to anything but "" or "0" ("submit": with submit-time
// synchronization validation as well).
bool validationRequested();
// STYLIZE_VALIDATION=submit.
bool submitValidationRequested();
// VK_LAYER_KHRONOS_validation is installed (Debian: vulkan-validationlayers).
bool validationLayerPresent();
// Errors the layer has reported in this process (every instance), each also printed to
// stderr with its message. Thread-safe.
std::uint64_t validationErrorCount();

// What vkCreateInstance needs for validation, kept alive until the instance exists.
struct ValidationRequest {
    std::vector<const char*> layers, extensions;
    VkValidationFeatureEnableEXT enables[1] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
    VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};

    // Fills the lists and chains features -> messenger in front of `next`; throws
    // VulkanError when validation is requested but the layer is missing.
    const void* chain(const void* next);
};

// Creates the debug messenger on an instance made with a ValidationRequest, and
// destroys it before the instance goes.
VkDebugUtilsMessengerEXT createMessenger(VkInstance instance, const ValidationRequest& request);
void destroyMessenger(VkInstance instance, VkDebugUtilsMessengerEXT messenger);

}  // namespace stylize::vk
