// InstanceNormOp: a stats pass per channel pack, then a fused normalize/add/ReLU pass.
#include "ops/instance_norm_op.h"

#include <algorithm>
#include <cstring>

#include "ops/norm_reduction.h"
#include "vk/context.h"
#include "vk/error.h"

namespace stylize::render {
namespace {
constexpr int kStatsLocalSize = 64;
constexpr int kApplyLocalSize = 64;

struct StatsPush {
    std::int32_t c4, hw;
    float epsilon;
};
struct ApplyPush {
    std::int32_t c4, hw;
};
struct PartialPush {
    std::int32_t c4, hw, slices, chunk;
};

// Slices a plane is summed in before the per-pack reduction, up to 64; a plane shorter
// than two slices keeps the single pass. GPUs: one slice per 1024 values, so a 1280x720
// layer of 8 packs runs 512 workgroups instead of 8 (a GPU has 40-130 compute units).
// CPU drivers (lavapipe): one per 16384 values. There each workgroup's shared-memory
// reduction runs as a loop over its lanes, so 64 short slices cost more than they spread
// (light pack, 640x360: IN statistics 23 ms a frame with 1024, 15 with 16384, 14-18 with
// one pass); a 640x360 plane still gets 14 slices per pack, enough for every core.
int sliceCount(const vk::Context& context, int hw)
{
    const int perSlice = context.info().type == VK_PHYSICAL_DEVICE_TYPE_CPU ? 16384 : 1024;
    return std::clamp(hw / perSlice, 1, 64);
}
}  // namespace

InstanceNormOp::InstanceNormOp(OpResources& res, const model::InstanceNorm& norm, model::Shape shape,
                               vk::Buffer* input, vk::Buffer* residual, vk::Buffer* output, bool relu,
                               std::string label)
    : res_(res), norm_(norm), shape_(shape), input_(input), residual_(residual), output_(output),
      label_(std::move(label))
{
    const std::uint64_t paramBytes = std::uint64_t(packs(shape.c)) * 2 * 16;
    params_ = res.hostArena.add(paramBytes, label_ + " scale/shift");
    coefficients_ = res.deviceArena.add(paramBytes, label_ + " coefficients");
    slices_ = sliceCount(res.context, shape.h * shape.w);
    partials_ = res.deviceArena.add(std::uint64_t(packs(shape.c)) * slices_ * 2 * 16, label_ + " partial sums");
    const std::string suffix = requestedNormReduction(res.context.info()) == NormReduction::Subgroup ? "_sg" : "";
    const std::int32_t statsSpec[] = {kStatsLocalSize, slices_};
    stats_ = &res.pipelines.get("instance_norm_stats" + suffix, 4, sizeof(StatsPush), statsSpec);
    if (slices_ > 1) {
        const std::int32_t partialSpec[] = {kStatsLocalSize};
        partial_ = &res.pipelines.get("instance_norm_partial" + suffix, 2, sizeof(PartialPush), partialSpec);
    }
    const std::int32_t applySpec[] = {kApplyLocalSize, relu ? 1 : 0, residual ? 1 : 0};
    apply_ = &res.pipelines.get("instance_norm_apply", 4, sizeof(ApplyPush), applySpec);
}

void InstanceNormOp::prepare(vk::DescriptorSets& sets)
{
    std::vector<float> first(norm_.scale.size(), 0.f);
    if (!first.empty())
        first[0] = 1.f;
    setStyleWeights(first);
    vk::Buffer* statsBuffers[] = {input_, params_, coefficients_, partials_};
    statsSet_ = sets.make(*stats_, statsBuffers);
    if (partial_) {
        vk::Buffer* partialBuffers[] = {input_, partials_};
        partialSet_ = sets.make(*partial_, partialBuffers);
    }
    // Without a residual the binding still needs a buffer; the shader never reads it.
    vk::Buffer* applyBuffers[] = {input_, coefficients_, residual_ ? residual_ : input_, output_};
    applySet_ = sets.make(*apply_, applyBuffers);
}

void InstanceNormOp::setStyleWeights(std::span<const float> weights)
{
    const std::size_t slots = norm_.scale.size();
    if (weights.size() != slots)
        throw vk::VulkanError("internal: " + std::to_string(weights.size()) + " style weights for " + label_ +
                              " which has " + std::to_string(slots) + " style slots");
    const int c4 = packs(shape_.c);
    std::vector<float> packed(std::size_t(c4) * 8, 0.f);
    for (int c = 0; c < shape_.c; ++c) {
        float scale = 0.f, shift = 0.f;
        for (std::size_t s = 0; s < slots; ++s) {
            scale += weights[s] * norm_.scale[s][c];
            shift += weights[s] * norm_.shift[s][c];
        }
        packed[std::size_t(c / 4) * 8 + c % 4] = scale;
        packed[std::size_t(c / 4) * 8 + 4 + c % 4] = shift;
    }
    std::memcpy(params_->mapped(), packed.data(), packed.size() * sizeof(float));
}

void InstanceNormOp::record(vk::CommandRecorder& recorder)
{
    const int c4 = packs(shape_.c);
    const int hw = shape_.h * shape_.w;
    const StatsPush statsPush{c4, hw, norm_.epsilon};
    if (partial_) {
        const PartialPush partialPush{c4, hw, slices_, (hw + slices_ - 1) / slices_};
        recorder.dispatch(*partial_, partialSet_, &partialPush, sizeof(partialPush),
                          static_cast<std::uint32_t>(slices_), static_cast<std::uint32_t>(c4), 1, {input_}, {partials_},
                          label_ + " [IN partial sums]");
        recorder.dispatch(*stats_, statsSet_, &statsPush, sizeof(statsPush), static_cast<std::uint32_t>(c4), 1, 1,
                          {input_, params_, partials_}, {coefficients_}, label_ + " [IN stats]");
    } else {
        recorder.dispatch(*stats_, statsSet_, &statsPush, sizeof(statsPush), static_cast<std::uint32_t>(c4), 1, 1,
                          {input_, params_}, {coefficients_}, label_ + " [IN stats]");
    }
    const ApplyPush applyPush{c4, hw};
    const std::int64_t count = std::int64_t(c4) * hw;
    const Groups2D groups = flatGroups(count, kApplyLocalSize);
    if (residual_)
        recorder.dispatch(*apply_, applySet_, &applyPush, sizeof(applyPush), groups.x, groups.y, 1,
                          {input_, coefficients_, residual_}, {output_}, label_ + " [IN apply]");
    else
        recorder.dispatch(*apply_, applySet_, &applyPush, sizeof(applyPush), groups.x, groups.y, 1,
                          {input_, coefficients_}, {output_}, label_ + " [IN apply]");
}

}  // namespace stylize::render
