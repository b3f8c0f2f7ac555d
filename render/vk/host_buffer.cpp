// HostBuffer: page-aligned host allocation, imported as device memory and bound to a buffer.
#include "vk/host_buffer.h"

#include <atomic>
#include <cstdlib>

#include "vk/context.h"
#include "vk/error.h"

namespace stylize::vk {

std::unique_ptr<HostBuffer> HostBuffer::create(const Context& context, VkDeviceSize size, std::string name)
{
    const VkDeviceSize alignment = context.info().hostImportAlignment;
    if (alignment == 0)
        return nullptr;
    const VkDeviceSize bytes = (std::max<VkDeviceSize>(size, 16) + alignment - 1) / alignment * alignment;
    void* raw = std::aligned_alloc(alignment, bytes);
    if (!raw)
        throw std::bad_alloc();
    std::unique_ptr<HostBuffer> host(new HostBuffer);
    host->memory_ = std::shared_ptr<std::uint8_t>(static_cast<std::uint8_t*>(raw), [](std::uint8_t* p) { std::free(p); });

    VkExternalMemoryBufferCreateInfo external{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    external.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.pNext = &external;
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    check(vkCreateBuffer(context.device(), &info, nullptr, &buffer), "vkCreateBuffer", name);
    host->buffer_.buffer_ = BufferHandle(context.device(), buffer);

    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(context.device(), buffer, &req);
    const std::uint32_t types = req.memoryTypeBits & context.hostPointerMemoryTypes(raw);
    if (types == 0)
        return nullptr;
    VkImportMemoryHostPointerInfoEXT import{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    import.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    import.pHostPointer = raw;
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.pNext = &import;
    alloc.allocationSize = bytes;
    try {
        alloc.memoryTypeIndex = context.findMemoryType(types, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    } catch (const VulkanError&) {
        return nullptr;  // only non-coherent import types: not worth the flushes
    }
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (vkAllocateMemory(context.device(), &alloc, nullptr, &memory) != VK_SUCCESS)
        return nullptr;  // the driver declined this pointer: the caller copies instead
    host->imported_ = MemoryHandle(context.device(), memory);
    check(vkBindBufferMemory(context.device(), buffer, memory, 0), "vkBindBufferMemory", name);
    host->buffer_.size_ = bytes;
    host->buffer_.mapped_ = raw;
    host->buffer_.name_ = std::move(name);
    return host;
}

HostBuffer::~HostBuffer() = default;

std::shared_ptr<const std::uint8_t> HostBuffer::lease() const
{
    leases_->fetch_add(1, std::memory_order_relaxed);
    // The deleter holds the memory and the count, not this object.
    return std::shared_ptr<const std::uint8_t>(memory_.get(),
                                               [memory = memory_, leases = leases_](const std::uint8_t*) {
                                                   leases->fetch_sub(1, std::memory_order_release);
                                               });
}

bool HostBuffer::held() const { return leases_->load(std::memory_order_acquire) > 0; }

}  // namespace stylize::vk
