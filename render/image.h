// Plain RGBA8 images as the engine takes and returns them (no Qt, no FFmpeg).
#pragma once

#include <cstdint>
#include <vector>

namespace stylize::render {

struct Size {
    int width = 0, height = 0;
    bool empty() const { return width <= 0 || height <= 0; }
    bool operator==(const Size&) const = default;
};

// Tightly packed RGBA8 rows (stride = width * 4), read-only view.
struct ImageView {
    const std::uint8_t* rgba = nullptr;
    int width = 0, height = 0;
    Size size() const { return {width, height}; }
};

struct Image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;
    Size size() const { return {width, height}; }
    ImageView view() const { return {rgba.data(), width, height}; }
};

}  // namespace stylize::render
