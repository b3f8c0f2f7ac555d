// Network: fusion of node sequences into steps, liveness-based buffer reuse, op creation.
#include "network.h"

#include <algorithm>
#include <map>

#include "ops/conv_ops.h"
#include "ops/elementwise_ops.h"
#include "ops/instance_norm_op.h"
#include "vk/error.h"

namespace stylize::render {
namespace {

using model::Node;
using model::TensorId;

// A step before ops exist: which node does the main work and what is fused into it.
struct Step {
    int main = -1;           // node index
    int norm = -1;           // fused InstanceNorm node following a conv
    int add = -1;            // fused residual Add after the norm
    int relu = -1;           // fused ReLU at the end
    std::vector<TensorId> reads;
    std::vector<TensorId> temps;  // written and read inside the step only
    TensorId output = -1;
};

template <typename T>
bool is(const Node& n)
{
    return std::holds_alternative<T>(n.op);
}

std::string describe(const model::Model& m, const Step& s)
{
    const Node& n = m.nodes[s.main];
    std::string kind = is<model::Conv>(n) ? "conv" : is<model::ConvTranspose>(n) ? "deconv" : is<model::InstanceNorm>(n) ? "IN" : "op";
    std::string label = kind + " " + n.name;
    if (s.norm >= 0)
        label += " +IN";
    if (s.add >= 0)
        label += " +add";
    if (s.relu >= 0)
        label += " +relu";
    return label;
}

class Planner {
public:
    explicit Planner(const model::Model& m) : m_(m), consumers_(m.tensorCount())
    {
        for (std::size_t i = 0; i < m.nodes.size(); ++i)
            for (TensorId t : m.nodes[i].inputs)
                consumers_[t].push_back(static_cast<int>(i));
    }

    std::vector<Step> plan()
    {
        std::vector<bool> done(m_.nodes.size(), false);
        std::vector<Step> steps;
        for (std::size_t i = 0; i < m_.nodes.size(); ++i) {
            if (done[i])
                continue;
            Step s;
            s.main = static_cast<int>(i);
            s.reads = m_.nodes[i].inputs;
            TensorId out = m_.nodes[i].output;
            const bool producesConv = is<model::Conv>(m_.nodes[i]) || is<model::ConvTranspose>(m_.nodes[i]);
            const bool isNorm = is<model::InstanceNorm>(m_.nodes[i]);
            if (producesConv) {
                if (int next = soleConsumer(out); next >= 0 && is<model::InstanceNorm>(m_.nodes[next])) {
                    s.norm = next;
                    s.temps.push_back(out);
                    out = m_.nodes[next].output;
                }
            }
            if (s.norm >= 0 || isNorm) {
                // IN + residual add: the other operand must already exist.
                if (int next = soleConsumer(out); next >= 0 && is<model::Add>(m_.nodes[next])) {
                    const Node& add = m_.nodes[next];
                    TensorId other = add.inputs[0] == out ? add.inputs[1] : add.inputs[0];
                    if (add.inputs[0] != add.inputs[1] && other < out) {
                        s.add = next;
                        s.reads.push_back(other);
                        out = add.output;
                    }
                }
            }
            if (producesConv || s.norm >= 0 || isNorm) {
                if (int next = soleConsumer(out); next >= 0 && is<model::Relu>(m_.nodes[next])) {
                    s.relu = next;
                    out = m_.nodes[next].output;
                }
            }
            for (int fused : {s.norm, s.add, s.relu})
                if (fused >= 0)
                    done[fused] = true;
            s.output = out;
            steps.push_back(std::move(s));
        }
        return steps;
    }

private:
    int soleConsumer(TensorId t) const
    {
        if (t == m_.output || consumers_[t].size() != 1)
            return -1;
        return consumers_[t][0];
    }

    const model::Model& m_;
    std::vector<std::vector<int>> consumers_;
};

}  // namespace

Network::Network(OpResources& res, const model::Model& model, int height, int width, bool keepAllTensors)
    : model_(model)
{
    shapes_ = model::inferShapes(model, height, width);
    std::vector<Step> plan = Planner(model).plan();

    // Liveness: a tensor lives from its producing step to its last reading step; the
    // output lives to the end (the image conversion reads it after the last step).
    const int count = model.tensorCount();
    std::vector<int> lastUse(count, -1);
    for (std::size_t s = 0; s < plan.size(); ++s)
        for (TensorId t : plan[s].reads)
            lastUse[t] = static_cast<int>(s);
    lastUse[model.output] = static_cast<int>(plan.size());

    // Slots: a freed slot is reused by the next tensor that fits (best fit); slot sizes
    // grow to the largest tensor they hold. Buffers are created once sizes are final.
    std::vector<std::uint64_t> slotBytes;
    std::vector<int> slotOf(count, -1);
    std::multimap<std::uint64_t, int> freeSlots;
    auto assign = [&](TensorId t) {
        const model::Shape& s = shapes_[t];
        const std::uint64_t bytes = render::tensorBytes(s.c, s.h, s.w, res.precision);
        if (keepAllTensors)
            freeSlots.clear();
        auto it = freeSlots.lower_bound(bytes);
        if (it == freeSlots.end() && !freeSlots.empty())
            it = std::prev(freeSlots.end());  // grow the largest free slot
        if (it != freeSlots.end()) {
            slotOf[t] = it->second;
            slotBytes[it->second] = std::max(slotBytes[it->second], bytes);
            freeSlots.erase(it);
        } else {
            slotOf[t] = static_cast<int>(slotBytes.size());
            slotBytes.push_back(bytes);
        }
    };
    assign(model::kInputTensor);
    for (std::size_t s = 0; s < plan.size(); ++s) {
        for (TensorId t : plan[s].temps)
            assign(t);
        assign(plan[s].output);  // before freeing inputs: ops never run in place
        for (TensorId t : plan[s].temps)
            freeSlots.emplace(slotBytes[slotOf[t]], slotOf[t]);
        for (TensorId t : plan[s].reads)
            if (lastUse[t] == static_cast<int>(s)) {
                freeSlots.emplace(slotBytes[slotOf[t]], slotOf[t]);
                lastUse[t] = -2;  // freed (a tensor read twice by one step frees once)
            }
    }
    std::vector<vk::Buffer*> slots;
    for (std::size_t i = 0; i < slotBytes.size(); ++i) {
        slots.push_back(res.deviceArena.add(slotBytes[i], "tensor slot " + std::to_string(i)));
        tensorBytes_ += slotBytes[i];
    }
    tensorBuffers_.assign(count, nullptr);
    for (TensorId t = 0; t < count; ++t)
        if (slotOf[t] >= 0)
            tensorBuffers_[t] = slots[slotOf[t]];
    auto buffer = [&](TensorId t) { return slots[slotOf[t]]; };
    input_ = buffer(model::kInputTensor);
    output_ = buffer(model.output);

    for (const Step& s : plan) {
        const Node& n = model.nodes[s.main];
        const model::Shape in = shapes_[n.inputs[0]];
        const bool relu = s.relu >= 0;
        PlannedStep planned{describe(model, s), {s.main}};
        for (int fused : {s.norm, s.add, s.relu})
            if (fused >= 0)
                planned.nodes.push_back(fused);
        const std::string& label = planned.label;

        // The tensor the main node writes: the final output unless a norm follows.
        const bool convLike = is<model::Conv>(n) || is<model::ConvTranspose>(n);
        vk::Buffer* mainOut = buffer(s.output);
        bool mainRelu = relu;
        if (convLike && s.norm >= 0) {
            mainOut = buffer(n.output);  // raw conv result, normalized below
            mainRelu = false;
        }
        if (auto* conv = std::get_if<model::Conv>(&n.op))
            ops_.push_back(std::make_unique<Conv2dOp>(res, *conv, in, shapes_[n.output], buffer(n.inputs[0]),
                                                      mainOut, mainRelu, label));
        else if (auto* deconv = std::get_if<model::ConvTranspose>(&n.op))
            ops_.push_back(std::make_unique<ConvTranspose2dOp>(res, *deconv, in, shapes_[n.output],
                                                               buffer(n.inputs[0]), mainOut, mainRelu, label));

        const int normNode = s.norm >= 0 ? s.norm : (is<model::InstanceNorm>(n) ? s.main : -1);
        if (normNode >= 0) {
            const Node& norm = model.nodes[normNode];
            vk::Buffer* residual = nullptr;
            if (s.add >= 0)
                residual = buffer(s.reads.back());
            auto op = std::make_unique<InstanceNormOp>(res, std::get<model::InstanceNorm>(norm.op),
                                                       shapes_[norm.output], buffer(norm.inputs[0]), residual,
                                                       buffer(s.output), relu, label);
            norms_.push_back(op.get());
            ops_.push_back(std::move(op));
        } else if (!convLike) {
            const model::Shape& shape = shapes_[n.output];
            vk::Buffer* out = buffer(s.output);
            vk::Buffer* a = buffer(n.inputs[0]);
            auto elementwise = [&](ElementwiseKind kind, float x, float y, vk::Buffer* other) {
                ops_.push_back(std::make_unique<ElementwiseOp>(res, kind, x, y, shape, a, other, out, label));
            };
            if (is<model::Upsample2x>(n))
                ops_.push_back(std::make_unique<Upsample2xOp>(res, in, a, out, label));
            else if (is<model::Relu>(n))
                elementwise(ElementwiseKind::Relu, 0, 0, nullptr);
            else if (is<model::Tanh>(n))
                elementwise(ElementwiseKind::Tanh, 0, 0, nullptr);
            else if (is<model::Sigmoid>(n))
                elementwise(ElementwiseKind::Sigmoid, 0, 0, nullptr);
            else if (auto* affine = std::get_if<model::Affine>(&n.op))
                elementwise(ElementwiseKind::Affine, affine->scale, affine->bias, nullptr);
            else if (auto* clamp = std::get_if<model::Clamp>(&n.op))
                elementwise(ElementwiseKind::Clamp, clamp->lo, clamp->hi, nullptr);
            else if (is<model::Add>(n))
                elementwise(ElementwiseKind::Add, 0, 0, buffer(n.inputs[1]));
            else
                throw vk::VulkanError("internal: no GPU op for node '" + n.name + "'");
            if (relu)  // a ReLU after a plain element-wise op: run it in place
                ops_.push_back(std::make_unique<ElementwiseOp>(res, ElementwiseKind::Relu, 0.f, 0.f, shape, out,
                                                               nullptr, out, label + " relu"));
        }
        steps_.push_back(std::move(planned));
    }
}

Network::~Network() = default;

void Network::prepare(vk::DescriptorSets& sets)
{
    for (auto& op : ops_)
        op->prepare(sets);
}

void Network::record(vk::CommandRecorder& recorder)
{
    for (auto& op : ops_)
        op->record(recorder);
}

void Network::setStyleWeights(std::span<const float> weights)
{
    for (InstanceNormOp* norm : norms_)
        norm->setStyleWeights(weights);
}

std::uint32_t Network::descriptorSets() const
{
    std::uint32_t n = 0;
    for (const auto& op : ops_)
        n += op->descriptorSets();
    return n;
}

std::uint32_t Network::descriptorBuffers() const
{
    std::uint32_t n = 0;
    for (const auto& op : ops_)
        n += op->descriptorBuffers();
    return n;
}

}  // namespace stylize::render
