// Golden comparison for the CPU reference tests: shape check, range-relative error.
#include "golden_compare.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace stylize::test {

cpu::Tensor toTensor(const NpyArray& a)
{
    cpu::Shape s;
    if (a.shape.size() == 3)
        s = {int(a.shape[0]), int(a.shape[1]), int(a.shape[2])};
    else if (a.shape.size() == 1)
        s = {1, 1, int(a.shape[0])};
    else
        throw std::runtime_error("golden array of rank " + std::to_string(a.shape.size()) +
                                 " is not a C x H x W tensor");
    cpu::Tensor t(s);
    t.data = a.data;
    return t;
}

GoldenError goldenError(const cpu::Tensor& actual, const NpyArray& golden)
{
    GoldenError e;
    double range = 1.0;
    for (std::size_t i = 0; i < golden.data.size() && i < actual.data.size(); ++i) {
        range = std::max(range, double(std::abs(golden.data[i])));
        const double d = std::abs(double(actual.data[i]) - double(golden.data[i]));
        if (d > e.maxAbs || std::isnan(d)) {
            e.maxAbs = std::isnan(d) ? INFINITY : d;
            e.worstIndex = i;
        }
    }
    e.relative = e.maxAbs / range;
    return e;
}

::testing::AssertionResult matchesGolden(const std::string& what, const cpu::Tensor& actual,
                                         const NpyArray& golden, double tol)
{
    const cpu::Tensor expected = toTensor(golden);
    if (!(actual.shape == expected.shape))
        return ::testing::AssertionFailure()
               << what << ": shape " << cpu::toString(actual.shape) << ", golden "
               << cpu::toString(expected.shape);
    const GoldenError e = goldenError(actual, golden);
    if (e.relative <= tol)
        return ::testing::AssertionSuccess();
    const std::size_t plane = expected.planeSize(), i = e.worstIndex;
    std::ostringstream msg;
    msg << what << " (shape " << cpu::toString(actual.shape) << "): relative error "
        << e.relative << " > " << tol << "; worst at c=" << i / plane
        << " y=" << (i % plane) / std::size_t(expected.shape.w)
        << " x=" << i % std::size_t(expected.shape.w) << ": " << actual.data[i] << " vs golden "
        << golden.data[i];
    return ::testing::AssertionFailure() << msg.str();
}

}  // namespace stylize::test
