// Buffers carved out of a few large memory allocations: requests are collected first,
// then one vkAllocateMemory backs them all (no per-op allocations, no per-frame ones).
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "vk/handle.h"

namespace stylize::vk {

class Context;

enum class MemoryKind {
    Device,    // device-local; the fastest for shaders
    Upload,    // host-visible, coherent, written by the CPU every frame
    Readback,  // host-visible, cached where possible, read by the CPU every frame
};

// One storage buffer. Barrier state is tracked by the CommandRecorder through the
// epochs below (owned by the recording thread).
class Buffer {
public:
    VkBuffer handle() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    void* mapped() const { return mapped_; }  // null unless host-visible
    const std::string& name() const { return name_; }

    // Recorder bookkeeping: the barrier epoch of the last write and last read.
    std::int64_t writeEpoch = -1;
    std::int64_t readEpoch = -1;

private:
    friend class BufferArena;
    friend class HostBuffer;
    BufferHandle buffer_;
    VkDeviceSize size_ = 0;
    VkDeviceSize offset_ = 0;
    void* mapped_ = nullptr;
    std::string name_;
};

class BufferArena {
public:
    BufferArena(const Context& context, MemoryKind kind);
    ~BufferArena();
    BufferArena(const BufferArena&) = delete;
    BufferArena& operator=(const BufferArena&) = delete;

    // Reserves a buffer; valid (pointer stable) for the arena's life, usable after allocate().
    Buffer* add(VkDeviceSize size, std::string name);
    // Backs every buffer added so far with one allocation. Call once.
    void allocate();
    VkDeviceSize bytes() const { return total_; }

private:
    const Context& context_;
    MemoryKind kind_;
    std::deque<Buffer> buffers_;
    MemoryHandle memory_;
    VkDeviceSize total_ = 0;
    bool allocated_ = false;
    bool mapped_ = false;
};

}  // namespace stylize::vk
