// Packed convolution weights kept across plans: a stylizer builds a plan per processing
// size (a brush-size change, a new source), and every plan used to pack and upload each
// weight again. The store keeps the packed buffers; a later plan whose kernel packs a
// convolution the same way reuses them, so a new size costs buffers for the activations,
// descriptor sets and command recording only (pipelines already live in the PipelineCache).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "vk/buffer_arena.h"

namespace stylize::render {

class WeightStore {
public:
    // One convolution's packed weights and bias. `filled` turns true once the op that
    // got the entry first has uploaded them (a plan that failed before that leaves it
    // false, and the next plan fills it).
    struct Entry {
        vk::Buffer* weights = nullptr;
        vk::Buffer* bias = nullptr;
        bool filled = false;
    };

    explicit WeightStore(const vk::Context& context);
    WeightStore(const WeightStore&) = delete;
    WeightStore& operator=(const WeightStore&) = delete;

    // The entry for convolution `owner` (its model node, which outlives the store) in
    // `layout`: the packing's name and every parameter that changes its bytes. A new entry
    // gets buffers from the arena of the plan being built, usable after allocate().
    Entry& get(const void* owner, const std::string& layout, std::uint64_t weightBytes, std::uint64_t biasBytes,
               const std::string& label);
    // Backs the entries added since the last call with device memory (one allocation).
    void allocate();

    std::uint64_t bytes() const { return bytes_; }  // device memory held, all layouts
    std::size_t uploads() const;                    // entries filled so far

private:
    const vk::Context& context_;
    // All of it owned by the thread that runs the stylizer (one at a time, as its plans).
    std::map<std::pair<const void*, std::string>, Entry> entries_;
    std::deque<vk::BufferArena> arenas_;  // the last one collects new entries until allocate()
    bool pending_ = false;                // the last arena has buffers not yet allocated
    std::uint64_t bytes_ = 0;
};

}  // namespace stylize::render
