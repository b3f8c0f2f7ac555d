// Compares a CPU reference tensor with a golden array and says where and by how much they differ.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "cpu/tensor.h"
#include "support/npy.h"

namespace stylize::test {

// The error measure of every golden test: max |actual - golden| divided by the largest
// |golden| (at least 1), i.e. relative to the tensor's range. Per-element relative
// error would blow up on values that cancel to about zero, which convs produce.
struct GoldenError {
    double maxAbs = 0.0;
    double relative = 0.0;
    std::size_t worstIndex = 0;
};
GoldenError goldenError(const cpu::Tensor& actual, const NpyArray& golden);

// Success when the shapes match (golden C x H x W) and goldenError().relative <= tol;
// the failure message names the case, both shapes, the worst element and both values.
::testing::AssertionResult matchesGolden(const std::string& what, const cpu::Tensor& actual,
                                         const NpyArray& golden, double tol);

// A golden C x H x W array (or a 1-D one, as 1 x 1 x n) as a tensor.
cpu::Tensor toTensor(const NpyArray& a);

}  // namespace stylize::test
