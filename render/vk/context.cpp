// Instance and device creation, device ranking and selection, feature probing.
#include "vk/context.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "vk/error.h"
#include "vk/validation.h"

namespace stylize::vk {
namespace {

// Owns a bare instance (and its validation messenger, when STYLIZE_VALIDATION asks for
// one) for the time of a query or until Context takes them over.
struct InstanceOwner {
    VkInstance instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    ~InstanceOwner()
    {
        if (instance) {
            destroyMessenger(instance, messenger);
            vkDestroyInstance(instance, nullptr);
        }
    }
    VkInstance release()
    {
        messenger = VK_NULL_HANDLE;
        return std::exchange(instance, VK_NULL_HANDLE);
    }
};

void preferWideVectorsOnLavapipe()
{
    // Lavapipe compiles shaders for 256-bit vectors by default; on CPUs with AVX-512 a
    // 512-bit width measured about twice the conv throughput here. Only a default: a
    // value the user set wins, and other drivers ignore the variable.
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        setenv("LP_NATIVE_VECTOR_WIDTH", "512", /*overwrite=*/0);
#endif
}

InstanceOwner createInstance()
{
    preferWideVectorsOnLavapipe();
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "Stylize";
    app.applicationVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
    app.pEngineName = "Stylize";
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    ValidationRequest validation;
    info.pNext = validation.chain(nullptr);
    info.enabledLayerCount = static_cast<std::uint32_t>(validation.layers.size());
    info.ppEnabledLayerNames = validation.layers.data();
    info.enabledExtensionCount = static_cast<std::uint32_t>(validation.extensions.size());
    info.ppEnabledExtensionNames = validation.extensions.data();
    InstanceOwner owner;
    VkResult r = vkCreateInstance(&info, nullptr, &owner.instance);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED)
        throw VulkanError("No Vulkan driver could be loaded (" + std::string(resultName(r)) +
                              "): install your GPU's Vulkan driver, or mesa-vulkan-drivers "
                              "for the CPU fallback",
                          r);
    check(r, "vkCreateInstance");
    owner.messenger = createMessenger(owner.instance, validation);
    return owner;
}

bool hasExtension(VkPhysicalDevice physical, const char* name)
{
    std::uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, extensions.data());
    return std::any_of(extensions.begin(), extensions.end(),
                       [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

DeviceInfo describe(VkPhysicalDevice physical, int index)
{
    VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &subgroup;
    vkGetPhysicalDeviceProperties2(physical, &props);

    VkPhysicalDeviceShaderFloat16Int8Features f16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
    VkPhysicalDevice16BitStorageFeatures s16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
    s16.pNext = &f16;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &s16;
    vkGetPhysicalDeviceFeatures2(physical, &features);

    const VkPhysicalDeviceLimits& limits = props.properties.limits;
    DeviceInfo info;
    info.index = index;
    info.name = props.properties.deviceName;
    info.type = props.properties.deviceType;
    info.apiVersion = props.properties.apiVersion;
    info.fp16Storage = s16.storageBuffer16BitAccess == VK_TRUE;
    info.fp16Arithmetic = f16.shaderFloat16 == VK_TRUE;
    info.timestamps = limits.timestampComputeAndGraphics == VK_TRUE;
    info.timestampPeriodNs = limits.timestampPeriod;
    info.subgroupSize = subgroup.subgroupSize;
    info.subgroupArithmetic = (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) != 0 &&
                              (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0;
    info.maxStorageBufferRange = limits.maxStorageBufferRange;
    info.maxComputeSharedMemory = limits.maxComputeSharedMemorySize;
    std::copy(std::begin(limits.maxComputeWorkGroupCount), std::end(limits.maxComputeWorkGroupCount),
              std::begin(info.maxWorkGroupCount));
    if (hasExtension(physical, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)) {
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT host{
            VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
        VkPhysicalDeviceProperties2 hostProps{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
        hostProps.pNext = &host;
        vkGetPhysicalDeviceProperties2(physical, &hostProps);
        info.hostImportAlignment = std::max<std::uint64_t>(host.minImportedHostPointerAlignment, 1);
    }
    return info;
}

int typeRank(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
    }
}

std::vector<VkPhysicalDevice> physicalDevices(VkInstance instance)
{
    std::uint32_t count = 0;
    check(vkEnumeratePhysicalDevices(instance, &count, nullptr), "vkEnumeratePhysicalDevices");
    std::vector<VkPhysicalDevice> devices(count);
    check(vkEnumeratePhysicalDevices(instance, &count, devices.data()), "vkEnumeratePhysicalDevices");
    devices.resize(count);
    return devices;
}

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

int computeQueueFamily(VkPhysicalDevice physical)
{
    std::uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
    for (std::uint32_t i = 0; i < count; ++i)
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
            return static_cast<int>(i);
    return -1;
}

std::string deviceList(const std::vector<DeviceInfo>& infos)
{
    std::string list;
    for (const DeviceInfo& d : infos)
        list += (list.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
    return list;
}

int chooseDevice(const std::vector<DeviceInfo>& infos, const std::string& wanted)
{
    if (infos.empty())
        throw VulkanError("No Vulkan device found: install your GPU's Vulkan driver, or "
                          "mesa-vulkan-drivers for the CPU fallback (lavapipe)");
    if (wanted.empty()) {
        auto best = std::max_element(infos.begin(), infos.end(), [](const DeviceInfo& a, const DeviceInfo& b) {
            return typeRank(a.type) < typeRank(b.type);
        });
        return best->index;
    }
    if (std::all_of(wanted.begin(), wanted.end(), [](unsigned char c) { return std::isdigit(c); })) {
        int index = std::atoi(wanted.c_str());
        if (index >= 0 && index < static_cast<int>(infos.size()))
            return index;
    } else {
        for (const DeviceInfo& d : infos)
            if (lower(d.name).find(lower(wanted)) != std::string::npos)
                return d.index;
    }
    throw VulkanError("Vulkan device '" + wanted + "' not found; available: " + deviceList(infos));
}

}  // namespace

const char* DeviceInfo::typeName() const
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
    }
}

std::vector<DeviceInfo> Context::listDevices()
{
    InstanceOwner owner = createInstance();
    std::vector<DeviceInfo> infos;
    int index = 0;
    for (VkPhysicalDevice physical : physicalDevices(owner.instance))
        infos.push_back(describe(physical, index++));
    return infos;
}

Context::Context(const std::string& device)
{
    InstanceOwner owner = createInstance();
    std::vector<VkPhysicalDevice> physicals = physicalDevices(owner.instance);
    std::vector<DeviceInfo> infos;
    for (std::size_t i = 0; i < physicals.size(); ++i)
        infos.push_back(describe(physicals[i], static_cast<int>(i)));
    std::string wanted = device;
    if (const char* env = std::getenv("STYLIZE_DEVICE"); wanted.empty() && env)
        wanted = env;
    int chosen = chooseDevice(infos, wanted);
    physical_ = physicals[chosen];
    info_ = infos[chosen];
    int family = computeQueueFamily(physical_);
    if (family < 0)
        throw VulkanError("Vulkan device '" + info_.name + "' has no compute queue");
    queueFamily_ = static_cast<std::uint32_t>(family);

    VkPhysicalDeviceShaderFloat16Int8Features f16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
    f16.shaderFloat16 = info_.fp16Arithmetic;
    VkPhysicalDevice16BitStorageFeatures s16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
    s16.storageBuffer16BitAccess = info_.fp16Storage;
    s16.pNext = info_.fp16Arithmetic ? &f16 : nullptr;
    std::vector<const char*> extensions;
    if (info_.fp16Arithmetic && VK_API_VERSION_MINOR(info_.apiVersion) < 2)
        extensions.push_back(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    if (info_.hostImportAlignment)
        extensions.push_back(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);

    float priority = 1.f;
    VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queueInfo.queueFamilyIndex = queueFamily_;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    deviceInfo.pNext = &s16;
    deviceInfo.queueCreateInfoCount = 1;
    deviceInfo.pQueueCreateInfos = &queueInfo;
    deviceInfo.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    deviceInfo.ppEnabledExtensionNames = extensions.data();
    check(vkCreateDevice(physical_, &deviceInfo, nullptr, &device_), "vkCreateDevice", info_.name);
    vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
    if (info_.hostImportAlignment) {
        getHostPointerProperties_ = reinterpret_cast<PFN_vkGetMemoryHostPointerPropertiesEXT>(
            vkGetDeviceProcAddr(device_, "vkGetMemoryHostPointerPropertiesEXT"));
        if (!getHostPointerProperties_)
            info_.hostImportAlignment = 0;
    }
    messenger_ = owner.messenger;
    instance_ = owner.release();
}

Context::~Context()
{
    if (device_) {
        // Every submission is fenced and waited for by its recorder, which goes before
        // the context. The wait is a second guard, left out under submit-time validation:
        // Debian's 1.3.239 layer never returns from vkDeviceWaitIdle there (seen with gdb).
        if (!submitValidationRequested())
            vkDeviceWaitIdle(device_);
        vkDestroyDevice(device_, nullptr);
    }
    if (instance_) {
        destroyMessenger(instance_, messenger_);
        vkDestroyInstance(instance_, nullptr);
    }
}

std::uint32_t Context::findMemoryType(std::uint32_t typeBits, VkMemoryPropertyFlags required,
                                      VkMemoryPropertyFlags preferred) const
{
    int fallback = -1;
    for (std::uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
        if (!(typeBits & (1u << i)))
            continue;
        VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
        if ((flags & required) != required)
            continue;
        if ((flags & preferred) == preferred)
            return i;
        if (fallback < 0)
            fallback = static_cast<int>(i);
    }
    if (fallback < 0)
        throw VulkanError("Vulkan device '" + info_.name + "' has no suitable memory type");
    return static_cast<std::uint32_t>(fallback);
}

VkMemoryPropertyFlags Context::memoryTypeFlags(std::uint32_t type) const
{
    return memory_.memoryTypes[type].propertyFlags;
}

std::uint32_t Context::hostPointerMemoryTypes(const void* pointer) const
{
    if (!getHostPointerProperties_)
        return 0;
    VkMemoryHostPointerPropertiesEXT props{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    if (getHostPointerProperties_(device_, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, pointer, &props) !=
        VK_SUCCESS)
        return 0;
    return props.memoryTypeBits;
}

}  // namespace stylize::vk
