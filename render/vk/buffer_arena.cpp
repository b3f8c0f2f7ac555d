// BufferArena: creates the buffers, sums their aligned sizes and binds them to one allocation.
#include "vk/buffer_arena.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "vk/context.h"
#include "vk/error.h"

namespace stylize::vk {
namespace {

// STYLIZE_DEVICE_MEMORY=unmapped leaves device memory unmapped even where the host could
// map it (lavapipe, integrated GPUs), as a discrete GPU's is: every weight then goes
// through a staging buffer and a copy, the path a discrete GPU takes, tested on any device.
bool deviceMemoryUnmapped()
{
    static const bool unmapped = [] {
        const char* env = std::getenv("STYLIZE_DEVICE_MEMORY");
        if (!env || !*env)
            return false;
        if (std::string(env) == "unmapped")
            return true;
        throw VulkanError(std::string("STYLIZE_DEVICE_MEMORY=") + env +
                          " is not understood: 'unmapped' (stage every upload to device memory) or unset");
    }();
    return unmapped;
}

}  // namespace

BufferArena::BufferArena(const Context& context, MemoryKind kind) : context_(context), kind_(kind) {}

BufferArena::~BufferArena()
{
    if (memory_ && mapped_)
        vkUnmapMemory(context_.device(), memory_);
}

Buffer* BufferArena::add(VkDeviceSize size, std::string name)
{
    if (allocated_)
        throw VulkanError("internal: buffer '" + name + "' added after the arena was allocated");
    if (size > context_.info().maxStorageBufferRange)
        throw VulkanError("Buffer '" + name + "' needs " + std::to_string(size >> 20) +
                          " MiB but device '" + context_.info().name + "' binds at most " +
                          std::to_string(context_.info().maxStorageBufferRange >> 20) +
                          " MiB per buffer: use a smaller processing size or fp16");
    Buffer& b = buffers_.emplace_back();
    b.size_ = std::max<VkDeviceSize>(size, 16);
    b.name_ = std::move(name);
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = b.size_;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer handle = VK_NULL_HANDLE;
    check(vkCreateBuffer(context_.device(), &info, nullptr, &handle), "vkCreateBuffer", b.name_);
    b.buffer_ = BufferHandle(context_.device(), handle);
    return &b;
}

void BufferArena::allocate()
{
    if (allocated_ || buffers_.empty())
        return;
    std::uint32_t typeBits = ~0u;
    VkDeviceSize offset = 0;
    for (Buffer& b : buffers_) {
        VkMemoryRequirements req;
        vkGetBufferMemoryRequirements(context_.device(), b.buffer_, &req);
        typeBits &= req.memoryTypeBits;
        offset = (offset + req.alignment - 1) / req.alignment * req.alignment;
        b.offset_ = offset;
        offset += req.size;
    }
    total_ = offset;

    VkMemoryPropertyFlags required = 0, preferred = 0;
    switch (kind_) {
    case MemoryKind::Device: preferred = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; break;
    case MemoryKind::Upload:
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        break;
    case MemoryKind::Readback:
        required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
        break;
    }
    VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    info.allocationSize = total_;
    info.memoryTypeIndex = context_.findMemoryType(typeBits, required, preferred);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    check(vkAllocateMemory(context_.device(), &info, nullptr, &memory), "vkAllocateMemory",
          std::to_string(total_ >> 20) + " MiB on " + context_.info().name);
    memory_ = MemoryHandle(context_.device(), memory);

    // Device memory that is also host-visible (integrated GPUs, lavapipe, ReBAR) is
    // mapped too, so weights are written in place instead of staged (unless
    // STYLIZE_DEVICE_MEMORY=unmapped says to take a discrete GPU's path).
    char* base = nullptr;
    if ((context_.memoryTypeFlags(info.memoryTypeIndex) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
        !(kind_ == MemoryKind::Device && deviceMemoryUnmapped())) {
        void* p = nullptr;
        check(vkMapMemory(context_.device(), memory_, 0, VK_WHOLE_SIZE, 0, &p), "vkMapMemory");
        base = static_cast<char*>(p);
        mapped_ = true;
    }
    for (Buffer& b : buffers_) {
        check(vkBindBufferMemory(context_.device(), b.buffer_, memory_, b.offset_), "vkBindBufferMemory", b.name_);
        b.mapped_ = base ? base + b.offset_ : nullptr;
    }
    allocated_ = true;
}

}  // namespace stylize::vk
