// A storage buffer over host memory the application allocated (VK_EXT_external_memory_host):
// the device writes results straight into memory that can outlive the buffer, the plan
// and the device, so the UI can keep showing a frame without copying it.
#pragma once

#include <atomic>
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
    std::uint8_t* data() const { return memory_.get(); }
    // The memory for a reader outside (the view, a recorder), counted explicitly: the
    // device does not write into it until every lease is released. A lease also keeps
    // the memory alive, even past this buffer and its device.
    std::shared_ptr<const std::uint8_t> lease() const;
    // True while a lease is out. A false answer orders the device's coming writes after
    // every read the released leases made (release/acquire on the lease count).
    bool held() const;

private:
    HostBuffer() = default;
    // Declared first, destroyed last: the device memory importing it goes first.
    std::shared_ptr<std::uint8_t> memory_;
    std::shared_ptr<std::atomic<int>> leases_ = std::make_shared<std::atomic<int>>(0);  // any thread
    MemoryHandle imported_;
    Buffer buffer_;
};

}  // namespace stylize::vk
