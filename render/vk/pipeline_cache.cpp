// PipelineCache and DescriptorSets.
#include "vk/pipeline_cache.h"

#include <stdexcept>

#include "shader_table.h"
#include "vk/buffer_arena.h"
#include "vk/context.h"
#include "vk/error.h"

namespace stylize::vk {

struct PipelineCache::Entry {
    Pipeline info;
    PipelineHandle handle;
};

PipelineCache::PipelineCache(const Context& context, std::string variant)
    : context_(context), variant_(std::move(variant))
{
    VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    VkPipelineCache cache = VK_NULL_HANDLE;
    check(vkCreatePipelineCache(context_.device(), &info, nullptr, &cache), "vkCreatePipelineCache");
    driverCache_ = PipelineCacheHandle(context_.device(), cache);
}

PipelineCache::~PipelineCache() = default;

VkDescriptorSetLayout PipelineCache::setLayout(int bindings)
{
    auto it = setLayouts_.find(bindings);
    if (it != setLayouts_.end())
        return it->second;
    std::vector<VkDescriptorSetLayoutBinding> list(bindings);
    for (int i = 0; i < bindings; ++i)
        list[i] = {static_cast<std::uint32_t>(i), VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                   VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    info.bindingCount = static_cast<std::uint32_t>(bindings);
    info.pBindings = list.data();
    VkDescriptorSetLayout layout = VK_NULL_HANDLE;
    check(vkCreateDescriptorSetLayout(context_.device(), &info, nullptr, &layout), "vkCreateDescriptorSetLayout");
    return setLayouts_.emplace(bindings, DescriptorSetLayoutHandle(context_.device(), layout)).first->second;
}

std::atomic<std::uint64_t> PipelineCache::builtInProcess_{0};

std::uint64_t PipelineCache::builtInProcess() { return builtInProcess_.load(std::memory_order_relaxed); }

const Pipeline& PipelineCache::get(const std::string& shader, int bindings, std::uint32_t pushBytes,
                                   std::span<const std::int32_t> specialization)
{
    auto key = std::make_pair(shader, std::vector<std::int32_t>(specialization.begin(), specialization.end()));
    if (auto it = pipelines_.find(key); it != pipelines_.end())
        return it->second->info;
    if (cancelled_.load(std::memory_order_relaxed))
        throw Cancelled();

    auto module = modules_.find(shader);
    if (module == modules_.end()) {
        const shaders::Spirv* spirv = nullptr;
        try {
            spirv = &shaders::find(shader, variant_);
        } catch (const std::out_of_range& e) {
            throw VulkanError(std::string("internal: ") + e.what());
        }
        VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
        info.codeSize = spirv->count * sizeof(std::uint32_t);
        info.pCode = spirv->words;
        VkShaderModule handle = VK_NULL_HANDLE;
        check(vkCreateShaderModule(context_.device(), &info, nullptr, &handle), "vkCreateShaderModule", shader);
        module = modules_.emplace(shader, ShaderModuleHandle(context_.device(), handle)).first;
    }

    VkDescriptorSetLayout set = setLayout(bindings);
    auto layoutKey = std::make_pair(bindings, pushBytes);
    auto layout = layouts_.find(layoutKey);
    if (layout == layouts_.end()) {
        VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
        VkPipelineLayoutCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
        info.setLayoutCount = 1;
        info.pSetLayouts = &set;
        info.pushConstantRangeCount = pushBytes ? 1 : 0;
        info.pPushConstantRanges = &range;
        VkPipelineLayout handle = VK_NULL_HANDLE;
        check(vkCreatePipelineLayout(context_.device(), &info, nullptr, &handle), "vkCreatePipelineLayout", shader);
        layout = layouts_.emplace(layoutKey, PipelineLayoutHandle(context_.device(), handle)).first;
    }

    std::vector<VkSpecializationMapEntry> entries(specialization.size());
    for (std::size_t i = 0; i < specialization.size(); ++i)
        entries[i] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i * sizeof(std::int32_t)),
                      sizeof(std::int32_t)};
    VkSpecializationInfo spec{static_cast<std::uint32_t>(entries.size()), entries.data(),
                              specialization.size_bytes(), specialization.data()};
    VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    info.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
    info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    info.stage.module = module->second;
    info.stage.pName = "main";
    info.stage.pSpecializationInfo = entries.empty() ? nullptr : &spec;
    info.layout = layout->second;
    VkPipeline handle = VK_NULL_HANDLE;
    check(vkCreateComputePipelines(context_.device(), driverCache_, 1, &info, nullptr, &handle),
          "vkCreateComputePipelines", shader);
    builtInProcess_.fetch_add(1, std::memory_order_relaxed);

    auto entry = std::make_unique<Entry>();
    entry->handle = PipelineHandle(context_.device(), handle);
    entry->info = {handle, layout->second, set, shader, bindings, pushBytes};
    return pipelines_.emplace(std::move(key), std::move(entry)).first->second->info;
}

DescriptorSets::DescriptorSets(const Context& context, std::uint32_t maxSets, std::uint32_t maxBuffers)
    : context_(context)
{
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, std::max(maxBuffers, 1u)};
    VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    info.maxSets = std::max(maxSets, 1u);
    info.poolSizeCount = 1;
    info.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    check(vkCreateDescriptorPool(context_.device(), &info, nullptr, &pool), "vkCreateDescriptorPool");
    pool_ = DescriptorPoolHandle(context_.device(), pool);
}

VkDescriptorSet DescriptorSets::make(const Pipeline& pipeline, std::span<Buffer* const> buffers)
{
    if (static_cast<int>(buffers.size()) != pipeline.bindings)
        throw VulkanError("internal: shader " + pipeline.shader + " takes " + std::to_string(pipeline.bindings) +
                          " buffers, got " + std::to_string(buffers.size()));
    VkDescriptorSetAllocateInfo alloc{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    alloc.descriptorPool = pool_;
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &pipeline.setLayout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    check(vkAllocateDescriptorSets(context_.device(), &alloc, &set), "vkAllocateDescriptorSets", pipeline.shader);
    std::vector<VkDescriptorBufferInfo> infos(buffers.size());
    std::vector<VkWriteDescriptorSet> writes(buffers.size());
    for (std::size_t i = 0; i < buffers.size(); ++i) {
        infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
        writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[i].dstSet = set;
        writes[i].dstBinding = static_cast<std::uint32_t>(i);
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    vkUpdateDescriptorSets(context_.device(), static_cast<std::uint32_t>(writes.size()), writes.data(), 0, nullptr);
    return set;
}

}  // namespace stylize::vk
