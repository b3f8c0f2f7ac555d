// VulkanError and the check() helper that turns a failed VkResult into a message with context.
#pragma once

#include <stdexcept>
#include <string>

#include <vulkan/vulkan.h>

namespace stylize::vk {

class VulkanError : public std::runtime_error {
public:
    VulkanError(const std::string& what, VkResult result = VK_ERROR_UNKNOWN)
        : std::runtime_error(what), result_(result) {}
    VkResult result() const { return result_; }

private:
    VkResult result_;
};

// Work given up on purpose (PipelineCache::cancel): not a device failure, nothing to report.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled: the pipelines are no longer wanted") {}
};

const char* resultName(VkResult result);

// Throws VulkanError("<call> failed: VK_ERROR_... <context>") unless result is VK_SUCCESS.
void check(VkResult result, const char* call, const std::string& context = {});

}  // namespace stylize::vk
