// The Vulkan instance, the chosen physical device, its logical device and compute queue.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

namespace stylize::vk {

struct DeviceInfo {
    int index = 0;  // position in vkEnumeratePhysicalDevices, what --device N means
    std::string name;
    VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
    std::uint32_t apiVersion = 0;
    bool fp16Storage = false;     // storageBuffer16BitAccess
    bool fp16Arithmetic = false;  // shaderFloat16
    bool timestamps = false;
    float timestampPeriodNs = 1.f;
    std::uint32_t subgroupSize = 1;
    bool subgroupArithmetic = false;  // subgroupAdd and friends in compute shaders
    std::uint64_t maxStorageBufferRange = 0;
    std::uint32_t maxComputeSharedMemory = 0;
    std::uint32_t maxWorkGroupCount[3] = {};
    // VK_EXT_external_memory_host: buffers over memory the application allocated, so a
    // result can be written straight into memory the UI keeps (0 = not available).
    std::uint64_t hostImportAlignment = 0;

    const char* typeName() const;
};

class Context {
public:
    // device: empty = best (discrete > integrated > virtual > CPU); a number picks by
    // index, anything else the first device whose name contains it (case-insensitive).
    // Empty also honours the STYLIZE_DEVICE environment variable.
    explicit Context(const std::string& device = {});
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // Every Vulkan device present, without creating a logical device.
    static std::vector<DeviceInfo> listDevices();

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physicalDevice() const { return physical_; }
    VkDevice device() const { return device_; }
    VkQueue queue() const { return queue_; }
    std::uint32_t queueFamily() const { return queueFamily_; }
    const DeviceInfo& info() const { return info_; }

    // A memory type allowed by typeBits with all `required` flags, preferring `preferred`.
    std::uint32_t findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                                 VkMemoryPropertyFlags preferred = 0) const;
    VkMemoryPropertyFlags memoryTypeFlags(std::uint32_t type) const;
    // Memory types that can import `pointer` (VK_EXT_external_memory_host; 0 without it).
    std::uint32_t hostPointerMemoryTypes(const void* pointer) const;

    // vkQueueSubmit needs the queue externally synchronized: every submitter (live view,
    // export, previews on their own threads) holds this while submitting.
    std::mutex& queueMutex() const { return queueMutex_; }

private:
    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;  // STYLIZE_VALIDATION only
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    std::uint32_t queueFamily_ = 0;
    DeviceInfo info_;
    VkPhysicalDeviceMemoryProperties memory_{};
    PFN_vkGetMemoryHostPointerPropertiesEXT getHostPointerProperties_ = nullptr;
    mutable std::mutex queueMutex_;
};

}  // namespace stylize::vk
