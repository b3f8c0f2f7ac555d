// The CPU reference of OutputLook::steady (shaders/steady.comp): the same motion search,
// gate, clamp and mix in readable loops, with the GPU's sums in the GPU's order, so the
// two agree to rounding. Tests and the GPU check compare the engine against it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace stylize::cpu {

class ReferenceSteady {
public:
    // `keep`: the share of its past a still pixel keeps (steady * SteadyOp::kMaxKeep);
    // `wideRadius`: the search's radius on its 4x4 level, in blocks (SteadyOp::wideRadius).
    ReferenceSteady(int width, int height, float keep, int wideRadius);
    // One frame: `luma` the scene luma (0..255) of each pixel, row by row; `output` the
    // network's output, 3 floats a pixel in any affine units, mixed in place with the
    // history followed along each 8x8 tile's motion. The first frame (and the first after
    // forget()) is left as it is.
    void next(std::span<const float> luma, std::vector<float>& output);
    // One frame through an affine "style" (output = gain * input + offset, each channel):
    // `rgba` the frame, 4 bytes a pixel; its Rec. 601 luma and that output are made here
    // and go through next(). Returns the mixed output, 3 floats a pixel, unclamped.
    std::vector<float> nextAffine(std::span<const std::uint8_t> rgba, float gain, float offset);
    void forget() { history_.clear(); }

private:
    struct Vector {
        int x, y;
    };
    float prev(int x, int y) const;
    Vector motion(std::span<const float> luma, int tx, int ty) const;
    int width_, height_;
    float keep_;
    int wideRadius_;
    std::vector<float> prevLuma_, history_;
};

}  // namespace stylize::cpu
