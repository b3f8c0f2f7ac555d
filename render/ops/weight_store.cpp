// WeightStore: packed convolution weights shared by a stylizer's plans.
#include "ops/weight_store.h"

#include <algorithm>

namespace stylize::render {

WeightStore::WeightStore(const vk::Context& context) : context_(context) {}

WeightStore::Entry& WeightStore::get(const void* owner, const std::string& layout, std::uint64_t weightBytes,
                                     std::uint64_t biasBytes, const std::string& label)
{
    auto [it, added] = entries_.try_emplace({owner, layout});
    if (!added)
        return it->second;
    if (arenas_.empty() || !pending_)
        arenas_.emplace_back(context_, vk::MemoryKind::Device);
    pending_ = true;
    it->second.weights = arenas_.back().add(weightBytes, label + " weights");
    it->second.bias = arenas_.back().add(biasBytes, label + " bias");
    return it->second;
}

std::size_t WeightStore::uploads() const
{
    return std::size_t(std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e.second.filled; }));
}

void WeightStore::allocate()
{
    if (!pending_)
        return;
    arenas_.back().allocate();
    bytes_ += arenas_.back().bytes();
    pending_ = false;
}

}  // namespace stylize::render
