// ElementwiseOp and Upsample2xOp.
#include "ops/elementwise_ops.h"

namespace stylize::render {
namespace {
constexpr int kLocalSize = 64;
}

ElementwiseOp::ElementwiseOp(OpResources& res, ElementwiseKind kind, float a, float b, model::Shape shape,
                             vk::Buffer* input, vk::Buffer* other, vk::Buffer* output, std::string label)
    : kind_(kind), shape_(shape), input_(input), other_(other), output_(output), label_(std::move(label))
{
    push_ = {static_cast<std::int32_t>(packs(shape.c) * shape.h * shape.w), a, b};
    const std::int32_t spec[] = {kLocalSize, static_cast<std::int32_t>(kind)};
    pipeline_ = &res.pipelines.get("elementwise", 3, sizeof(Push), spec);
}

void ElementwiseOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, other_ ? other_ : input_, output_};
    set_ = sets.make(*pipeline_, buffers);
}

void ElementwiseOp::record(vk::CommandRecorder& recorder)
{
    const Groups2D groups = flatGroups(push_.count, kLocalSize);
    if (other_)
        recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), groups.x, groups.y, 1, {input_, other_},
                          {output_}, label_);
    else
        recorder.dispatch(*pipeline_, set_, &push_, sizeof(push_), groups.x, groups.y, 1, {input_}, {output_},
                          label_);
}

Upsample2xOp::Upsample2xOp(OpResources& res, model::Shape in, vk::Buffer* input, vk::Buffer* output,
                           std::string label)
    : in_(in), input_(input), output_(output), label_(std::move(label))
{
    const std::int32_t spec[] = {kLocalSize};
    pipeline_ = &res.pipelines.get("upsample2x", 2, 3 * sizeof(std::int32_t), spec);
}

void Upsample2xOp::prepare(vk::DescriptorSets& sets)
{
    vk::Buffer* buffers[] = {input_, output_};
    set_ = sets.make(*pipeline_, buffers);
}

void Upsample2xOp::record(vk::CommandRecorder& recorder)
{
    const std::int32_t push[] = {packs(in_.c), in_.h, in_.w};
    const Groups2D groups = flatGroups(std::int64_t(packs(in_.c)) * in_.h * in_.w * 4, kLocalSize);
    recorder.dispatch(*pipeline_, set_, push, sizeof(push), groups.x, groups.y, 1, {input_}, {output_}, label_);
}

}  // namespace stylize::render
