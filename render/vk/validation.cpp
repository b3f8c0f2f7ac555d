// Validation layer set-up and the error counter its messenger feeds.
#include "vk/validation.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "vk/error.h"

namespace stylize::vk {
namespace {

constexpr const char* kLayer = "VK_LAYER_KHRONOS_validation";
std::atomic<std::uint64_t> g_errors{0};  // written by the layer's callback on any thread

VKAPI_ATTR VkBool32 VKAPI_CALL onMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                         VkDebugUtilsMessageTypeFlagsEXT,
                                         const VkDebugUtilsMessengerCallbackDataEXT* data, void*)
{
    if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
        g_errors.fetch_add(1);
        std::fprintf(stderr, "Vulkan validation error: %s\n", data && data->pMessage ? data->pMessage : "(no message)");
    } else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) {
        std::fprintf(stderr, "Vulkan validation warning: %s\n", data && data->pMessage ? data->pMessage : "");
    }
    return VK_FALSE;
}

}  // namespace

bool validationRequested()
{
    const char* env = std::getenv("STYLIZE_VALIDATION");
    return env && *env && std::strcmp(env, "0") != 0;
}

bool submitValidationRequested()
{
    const char* env = std::getenv("STYLIZE_VALIDATION");
    return env && std::strcmp(env, "submit") == 0;
}

bool validationLayerPresent()
{
    std::uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const VkLayerProperties& l : layers)
        if (std::strcmp(l.layerName, kLayer) == 0)
            return true;
    return false;
}

std::uint64_t validationErrorCount()
{
    return g_errors.load();
}

const void* ValidationRequest::chain(const void* next)
{
    if (!validationRequested())
        return next;
    if (!validationLayerPresent())
        throw VulkanError(std::string("STYLIZE_VALIDATION is set but the Vulkan validation layer (") + kLayer +
                          ") is not installed: apt-get install vulkan-validationlayers");
    // STYLIZE_VALIDATION=submit: also the layer's submit-time synchronization validation
    // (hazards between submissions, e.g. frames in flight). Debian's 1.3.239 layer has it
    // off by default and takes it only from its environment; very slow, so tests ask for
    // it where it matters. Set once, before the first instance, from the thread making it.
    if (submitValidationRequested())
        setenv("VK_LAYER_ENABLES", "VALIDATION_CHECK_ENABLE_SYNCHRONIZATION_VALIDATION_QUEUE_SUBMIT", 0);
    layers = {kLayer};
    extensions = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    messenger.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
    messenger.messageType =
        VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
    messenger.pfnUserCallback = onMessage;
    messenger.pNext = next;
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    features.pNext = &messenger;
    return &features;
}

VkDebugUtilsMessengerEXT createMessenger(VkInstance instance, const ValidationRequest& request)
{
    if (request.layers.empty())
        return VK_NULL_HANDLE;
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
    if (!create)
        throw VulkanError("the validation layer is loaded but vkCreateDebugUtilsMessengerEXT is missing");
    VkDebugUtilsMessengerCreateInfoEXT info = request.messenger;
    info.pNext = nullptr;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    check(create(instance, &info, nullptr, &messenger), "vkCreateDebugUtilsMessengerEXT");
    return messenger;
}

void destroyMessenger(VkInstance instance, VkDebugUtilsMessengerEXT messenger)
{
    if (!messenger)
        return;
    if (auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT")))
        destroy(instance, messenger, nullptr);
}

}  // namespace stylize::vk
