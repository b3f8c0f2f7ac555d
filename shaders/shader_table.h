// Lookup of the SPIR-V compiled at build time from shaders/*.comp, by name and variant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace stylize::shaders {

struct Spirv {
    const char* name;     // shader file name without .comp
    const char* variant;  // "fp32" or "fp16" (fp16 storage, fp32 arithmetic)
    const std::uint32_t* words;
    std::size_t count;
};

std::span<const Spirv> all();
// Throws std::out_of_range naming the shader if it was not built.
const Spirv& find(std::string_view name, std::string_view variant);

}  // namespace stylize::shaders
