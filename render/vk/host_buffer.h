// A storage buffer over host memory the application allocated (VK_EXT_external_memory_host):
// the device writes results straight into memory that can outlive the buffer, the plan
// and the device, so the UI can keep showing a frame without copying it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vk/buffer_arena.h"
#include "vk/handle.h"

namespace stylize::vk {

class Context;

class HostBuffer {
public:
    // Null when the device cannot import host memory (then read back through a Readback
    // arena and copy).
    static std::unique_ptr<HostBuffer> create(const Context& context, VkDeviceSize size, std::string name);
    ~HostBuffer();
    HostBuffer(const HostBuffer&) = delete;
    HostBuffer& operator=(const HostBuffer&) = delete;

    Buffer* buffer() { return &buffer_; }
    // The memory, reference counted: whoever holds a copy keeps it alive and readable.
    const std::shared_ptr<std::uint8_t>& memory() const { return memory_; }
    // True while a copy of memory() is held outside this object: the device must not
    // write into it then.
    bool held() const;

private:
    HostBuffer() = default;
    // Declared first, destroyed last: the device memory importing it goes first.
    std::shared_ptr<std::uint8_t> memory_;
    MemoryHandle imported_;
    Buffer buffer_;
};

}  // namespace stylize::vk
