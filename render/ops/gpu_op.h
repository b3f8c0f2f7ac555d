// The base of every GPU op and the shared resources ops are built from.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vk/buffer_arena.h"
#include "vk/command_recorder.h"
#include "vk/pipeline_cache.h"

namespace stylize::vk {
class Context;
}

namespace stylize::render {

enum class Precision {
    Fp32,         // fp32 storage and arithmetic
    Fp16Storage,  // fp16 tensors and weights in memory, fp32 arithmetic
};
const char* precisionName(Precision precision);

// Packed-by-four channel count.
inline int packs(int channels) { return (channels + 3) / 4; }

// Bytes of a packed tensor of c x h x w in the given precision.
std::uint64_t tensorBytes(int c, int h, int w, Precision precision);

class WeightStore;

// What ops are built from. Ops add their buffers during construction; the owner
// allocates the arenas (and the weight store), then calls prepare() on every op, then
// records them.
struct OpResources {
    const vk::Context& context;
    vk::PipelineCache& pipelines;
    vk::BufferArena& deviceArena;  // tensors (and weights, without a store)
    vk::BufferArena& hostArena;    // small parameters the CPU rewrites (style blends)
    Precision precision;
    WeightStore* weights = nullptr;  // packed weights kept across plans; null: in deviceArena
};

class GpuOp {
public:
    virtual ~GpuOp() = default;
    // After the arenas are allocated: upload constants, build descriptor sets.
    virtual void prepare(vk::DescriptorSets& sets) = 0;
    virtual void record(vk::CommandRecorder& recorder) = 0;
    virtual std::uint32_t descriptorSets() const { return 1; }
    virtual std::uint32_t descriptorBuffers() const = 0;
};

// Writes floats into a buffer in its storage precision (fp16 rounded to nearest even).
// Buffers not visible to the host are staged and copied at WeightUploader::flush().
class WeightUploader {
public:
    explicit WeightUploader(const vk::Context& context) : context_(context) {}
    void write(vk::Buffer* buffer, std::span<const float> values, bool asFp16);
    void flush();

private:
    struct Pending {
        vk::Buffer* target;
        std::vector<std::uint8_t> bytes;
    };
    const vk::Context& context_;
    std::vector<Pending> pending_;
};

std::uint16_t floatToHalf(float value);
float halfToFloat(std::uint16_t value);

}  // namespace stylize::render

namespace stylize::render {
// Workgroup counts (x, y) covering `count` invocations of `localSize` lanes each on a
// 2-D grid that stays within the per-dimension limit; shaders use flatInvocation().
struct Groups2D {
    std::uint32_t x = 1, y = 1;
};
Groups2D flatGroups(std::int64_t count, int localSize);
}  // namespace stylize::render
