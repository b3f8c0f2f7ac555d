// CommandRecorder: barrier tracking by epochs, timestamps, submission with a bounded wait.
#include "vk/command_recorder.h"

#include "vk/buffer_arena.h"
#include "vk/context.h"
#include "vk/error.h"
#include "vk/pipeline_cache.h"

namespace stylize::vk {
namespace {
constexpr std::uint32_t kMaxQueries = 1024;
constexpr VkPipelineStageFlags kStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
}  // namespace

CommandRecorder::CommandRecorder(const Context& context, bool timestamps) : context_(context)
{
    VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    poolInfo.queueFamilyIndex = context_.queueFamily();
    VkCommandPool pool = VK_NULL_HANDLE;
    check(vkCreateCommandPool(context_.device(), &poolInfo, nullptr, &pool), "vkCreateCommandPool");
    pool_ = CommandPoolHandle(context_.device(), pool);

    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    check(vkAllocateCommandBuffers(context_.device(), &alloc, &commands_), "vkAllocateCommandBuffers");

    VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    check(vkCreateFence(context_.device(), &fenceInfo, nullptr, &fence), "vkCreateFence");
    fence_ = FenceHandle(context_.device(), fence);

    if (timestamps && context_.info().timestamps) {
        VkQueryPoolCreateInfo q{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        q.queryType = VK_QUERY_TYPE_TIMESTAMP;
        q.queryCount = kMaxQueries;
        VkQueryPool queries = VK_NULL_HANDLE;
        check(vkCreateQueryPool(context_.device(), &q, nullptr, &queries), "vkCreateQueryPool");
        queries_ = QueryPoolHandle(context_.device(), queries);
        queryCapacity_ = kMaxQueries;
    }
}

CommandRecorder::~CommandRecorder()
{
    // Work that timed out may still be running and using buffers and pipelines that
    // are destroyed right after this object: wait for it. A device that never finishes
    // leaves its resources leaked on purpose rather than freed under the GPU's feet.
    if (inFlight_) {
        VkFence fence = fence_;
        if (vkWaitForFences(context_.device(), 1, &fence, VK_TRUE, 30ull * 60 * 1000000000) != VK_SUCCESS) {
            static_cast<void>(fence_.release());
            static_cast<void>(pool_.release());
        }
    }
}

bool CommandRecorder::stillRunning()
{
    if (inFlight_ && vkGetFenceStatus(context_.device(), fence_) == VK_SUCCESS)
        finished();
    return inFlight_;
}

void CommandRecorder::finished()
{
    inFlight_ = false;
    for (const Pipeline* p : pipelines_)
        p->hasRun = true;
    pipelines_.clear();  // every one has run now
}

void CommandRecorder::begin()
{
    if (inFlight_)
        throw VulkanError("internal: re-recording commands that are still running on '" + context_.info().name + "'");
    check(vkResetCommandBuffer(commands_, 0), "vkResetCommandBuffer");
    VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    check(vkBeginCommandBuffer(commands_, &info), "vkBeginCommandBuffer");
    // Against work submitted earlier to the queue (another frame in flight, which uses
    // the same network buffers): submission order orders execution, not memory.
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                            VK_ACCESS_TRANSFER_READ_BIT;
    barrier.dstAccessMask = barrier.srcAccessMask;
    vkCmdPipelineBarrier(commands_, kStages, kStages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    ++epoch_;
    labels_.clear();
    pipelines_.clear();
    recorded_ = false;
    if (queries_) {
        vkCmdResetQueryPool(commands_, queries_, 0, queryCapacity_);
        stamp("start");
    }
}

void CommandRecorder::access(std::initializer_list<Buffer*> reads, std::initializer_list<Buffer*> writes)
{
    // A hazard is an access to a buffer written since the last barrier (read after
    // write, write after write) or a write to one read since it (write after read).
    bool hazard = false;
    for (Buffer* b : reads)
        hazard = hazard || b->writeEpoch == epoch_;
    for (Buffer* b : writes)
        hazard = hazard || b->writeEpoch == epoch_ || b->readEpoch == epoch_;
    if (hazard) {
        VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_SHADER_READ_BIT |
                                VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT;
        barrier.dstAccessMask = barrier.srcAccessMask;
        vkCmdPipelineBarrier(commands_, kStages, kStages, 0, 1, &barrier, 0, nullptr, 0, nullptr);
        ++epoch_;
    }
    for (Buffer* b : reads)
        b->readEpoch = epoch_;
    for (Buffer* b : writes)
        b->writeEpoch = epoch_;
}

void CommandRecorder::stamp(std::string label)
{
    if (!queries_ || labels_.size() >= queryCapacity_)
        return;
    vkCmdWriteTimestamp(commands_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_,
                        static_cast<std::uint32_t>(labels_.size()));
    labels_.push_back(std::move(label));
}

void CommandRecorder::dispatch(const Pipeline& pipeline, VkDescriptorSet set, const void* push,
                               std::uint32_t pushBytes, std::uint32_t groupsX, std::uint32_t groupsY,
                               std::uint32_t groupsZ, std::initializer_list<Buffer*> reads,
                               std::initializer_list<Buffer*> writes, std::string label)
{
    const std::uint32_t* limit = context_.info().maxWorkGroupCount;
    if (groupsX > limit[0] || groupsY > limit[1] || groupsZ > limit[2])
        throw VulkanError("Dispatch '" + label + "' needs " + std::to_string(groupsX) + "x" +
                          std::to_string(groupsY) + "x" + std::to_string(groupsZ) +
                          " workgroups, more than device '" + context_.info().name +
                          "' allows: use a smaller processing size");
    access(reads, writes);
    vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.pipeline);
    vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, &set, 0, nullptr);
    if (pushBytes)
        vkCmdPushConstants(commands_, pipeline.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, push);
    if (singleWorkgroups_)
        vkCmdDispatch(commands_, 1, 1, 1);
    else
        vkCmdDispatch(commands_, groupsX, groupsY, groupsZ);
    if (!pipeline.hasRun)
        pipelines_.push_back(&pipeline);
    stamp(std::move(label));
}

void CommandRecorder::copy(Buffer* source, Buffer* destination, std::uint64_t bytes, std::string label)
{
    access({source}, {destination});
    VkBufferCopy region{0, 0, bytes};
    vkCmdCopyBuffer(commands_, source->handle(), destination->handle(), 1, &region);
    stamp(std::move(label));
}

void CommandRecorder::end()
{
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(commands_, kStages, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
    ++epoch_;
    check(vkEndCommandBuffer(commands_), "vkEndCommandBuffer");
    recorded_ = true;
}

void CommandRecorder::submitAndWait(std::chrono::milliseconds timeout)
{
    submit();
    wait(timeout);
}

void CommandRecorder::submit()
{
    if (!recorded_)
        throw VulkanError("internal: submit before the command buffer was recorded");
    if (inFlight_)
        throw VulkanError("Vulkan device '" + context_.info().name +
                          "' has not finished the previous frame: it may be hung; restart the app");
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commands_;
    VkFence fence = fence_;
    check(vkResetFences(context_.device(), 1, &fence), "vkResetFences");
    {
        std::lock_guard lock(context_.queueMutex());
        check(vkQueueSubmit(context_.queue(), 1, &submit, fence_), "vkQueueSubmit", context_.info().name);
    }
    inFlight_ = true;
}

void CommandRecorder::wait(std::chrono::milliseconds timeout)
{
    if (!inFlight_)
        return;
    VkFence fence = fence_;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    VkResult r = vkWaitForFences(context_.device(), 1, &fence, VK_TRUE, static_cast<std::uint64_t>(ns));
    if (r == VK_TIMEOUT)
        throw VulkanError("Vulkan device '" + context_.info().name + "' did not finish a frame within " +
                              std::to_string(timeout.count() / 1000) +
                              " s: the device may be hung or far too slow for this size",
                          r);
    check(r, "vkWaitForFences", context_.info().name);
    finished();
}

bool CommandRecorder::runsNewPipelines() const
{
    for (const Pipeline* p : pipelines_)
        if (!p->hasRun)
            return true;
    return false;
}

std::vector<OpTiming> CommandRecorder::timings() const
{
    std::vector<OpTiming> result;
    if (!queries_ || labels_.size() < 2)
        return result;
    std::vector<std::uint64_t> ticks(labels_.size());
    VkResult r = vkGetQueryPoolResults(context_.device(), queries_, 0, static_cast<std::uint32_t>(ticks.size()),
                                       ticks.size() * sizeof(std::uint64_t), ticks.data(), sizeof(std::uint64_t),
                                       VK_QUERY_RESULT_64_BIT);
    if (r != VK_SUCCESS)
        return result;
    const double toMs = context_.info().timestampPeriodNs * 1e-6;
    for (std::size_t i = 1; i < ticks.size(); ++i)
        result.push_back({labels_[i], double(ticks[i] - ticks[i - 1]) * toMs});
    return result;
}

}  // namespace stylize::vk
