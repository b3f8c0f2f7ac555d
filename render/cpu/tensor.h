// The CPU reference's tensor: one image-shaped activation, channels x height x width, planar.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::cpu {

using model::Shape;

// A plain value type on purpose: the reference favours obvious layout over speed, so a
// tensor is its shape and a CHW float vector (plane c starts at c * h * w).
struct Tensor {
    Shape shape;
    std::vector<float> data;

    Tensor() = default;
    explicit Tensor(Shape s, float fill = 0.f)
        : shape(s), data(static_cast<std::size_t>(s.elements()), fill)
    {
    }

    std::size_t planeSize() const { return std::size_t(shape.h) * std::size_t(shape.w); }
    float* plane(int c) { return data.data() + std::size_t(c) * planeSize(); }
    const float* plane(int c) const { return data.data() + std::size_t(c) * planeSize(); }
    float* row(int c, int y) { return plane(c) + std::size_t(y) * std::size_t(shape.w); }
    const float* row(int c, int y) const
    {
        return plane(c) + std::size_t(y) * std::size_t(shape.w);
    }
    float& at(int c, int y, int x) { return plane(c)[std::size_t(y) * shape.w + x]; }
    float at(int c, int y, int x) const { return plane(c)[std::size_t(y) * shape.w + x]; }
};

// "3x56x72" (c x h x w), for messages and test failure output.
inline std::string toString(const Shape& s)
{
    return std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w);
}

}  // namespace stylize::cpu
