// Compute pipelines built from the embedded SPIR-V, cached by shader and specialization
// constants, and the descriptor pool that binds buffers to them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vk/handle.h"

namespace stylize::vk {

class Buffer;
class Context;

struct Pipeline {
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    std::string shader;
    int bindings = 0;
    std::uint32_t pushBytes = 0;
    // Set when a submission that dispatched it has finished (CommandRecorder::wait). CPU
    // drivers (lavapipe) compile a pipeline at its first dispatch, not at creation: until
    // then, running it means compiling it. Touched by one thread at a time, as the cache.
    mutable bool hasRun = false;
};

class PipelineCache {
public:
    // variant: "fp32" or "fp16" (fp16 storage), the shader build to use.
    PipelineCache(const Context& context, std::string variant);
    ~PipelineCache();
    PipelineCache(const PipelineCache&) = delete;
    PipelineCache& operator=(const PipelineCache&) = delete;

    // The pipeline of `shader` (all bindings storage buffers) with these specialization
    // constants (ids 0..n-1), built on first use. One thread at a time (cancel() excepted).
    const Pipeline& get(const std::string& shader, int bindings, std::uint32_t pushBytes,
                        std::span<const std::int32_t> specialization);
    const std::string& variant() const { return variant_; }
    // Any thread: from now on get() throws vk::Cancelled instead of compiling a pipeline
    // it has not built yet (one already compiling finishes), so a plan being built for
    // a window that is closing stops within one compile. Built pipelines stay usable.
    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    std::size_t size() const { return pipelines_.size(); }
    // Pipelines compiled by every cache of this process so far (tests: what a step compiled).
    static std::uint64_t builtInProcess();

private:
    struct Entry;
    VkDescriptorSetLayout setLayout(int bindings);

    static std::atomic<std::uint64_t> builtInProcess_;
    std::atomic<bool> cancelled_{false};
    const Context& context_;
    std::string variant_;
    PipelineCacheHandle driverCache_;
    std::map<int, DescriptorSetLayoutHandle> setLayouts_;
    std::map<std::pair<int, std::uint32_t>, PipelineLayoutHandle> layouts_;
    std::map<std::string, ShaderModuleHandle> modules_;
    std::map<std::pair<std::string, std::vector<std::int32_t>>, std::unique_ptr<Entry>> pipelines_;
};

// Descriptor sets for one recorded network: allocated once, never freed one by one.
class DescriptorSets {
public:
    DescriptorSets(const Context& context, std::uint32_t maxSets, std::uint32_t maxBuffers);
    VkDescriptorSet make(const Pipeline& pipeline, std::span<Buffer* const> buffers);

private:
    const Context& context_;
    DescriptorPoolHandle pool_;
};

}  // namespace stylize::vk
