// BrushSizer: the automatic processing-size controller.
#include "studio/brush_sizer.h"

#include <algorithm>
#include <cmath>

namespace stylize::studio {
namespace {
constexpr auto kSettle = std::chrono::milliseconds(1500);
constexpr double kMaxScale = 1.0;
}  // namespace

BrushSizer::BrushSizer(double targetFps) : targetMs_(1000.0 / std::max(targetFps, 0.5)) {}

void BrushSizer::setPercent(int percent)
{
    percent_ = std::clamp(percent, 0, 100);
    framesAtSize_ = 0;
}

render::Size BrushSizer::processingSize(render::Size frame) const
{
    if (frame.empty())
        return frame;
    const int shortSide = std::min(frame.width, frame.height);
    const double minScale = std::min(1.0, double(kMinSide) / shortSide);
    const double s = std::clamp(scale(), minScale, 1.0);
    auto even = [](double v) { return std::max(2, int(std::lround(v / 2)) * 2); };
    return {std::min(frame.width, even(frame.width * s)), std::min(frame.height, even(frame.height * s))};
}

void BrushSizer::report(double milliseconds, Clock::time_point now)
{
    if (percent_ > 0)
        return;
    if (++framesAtSize_ == 1)  // the plan was rebuilt for this size: not representative
        return;
    averageMs_ = framesAtSize_ == 2 ? milliseconds : 0.7 * averageMs_ + 0.3 * milliseconds;
    if (now - lastChange_ < kSettle)
        return;
    double next = autoScale_;
    if (averageMs_ > targetMs_ * 1.25)  // network cost grows with area: scale sides by the root
        next = autoScale_ * std::max(0.5, std::sqrt(targetMs_ / averageMs_));
    else if (averageMs_ < targetMs_ * 0.6)
        next = std::min(kMaxScale, autoScale_ * 1.15);
    if (std::abs(next - autoScale_) < 0.01)
        return;
    autoScale_ = std::max(next, 0.05);
    framesAtSize_ = 0;
    lastChange_ = now;
}

}  // namespace stylize::studio
