// BrushSizer: fixed percentages, and the automatic size reacting to slow and fast frames.
#include <gtest/gtest.h>

#include "studio/brush_sizer.h"

namespace stylize::studio {
namespace {

using namespace std::chrono_literals;

TEST(BrushSizer, FixedPercentKeepsAspectAndEvenSides)
{
    BrushSizer b(15);
    b.setPercent(50);
    EXPECT_EQ(b.processingSize({640, 480}), (render::Size{320, 240}));
    b.setPercent(100);
    EXPECT_EQ(b.processingSize({641, 361}), (render::Size{641, 361}));  // never beyond the frame
    b.setPercent(25);
    const render::Size s = b.processingSize({1920, 1080});
    EXPECT_EQ(s.width % 2, 0);
    EXPECT_EQ(s.height % 2, 0);
    EXPECT_NEAR(double(s.width) / s.height, 1920.0 / 1080.0, 0.02);
}

TEST(BrushSizer, NeverBelowTheMinimumSide)
{
    BrushSizer b(15);
    b.setPercent(1);
    EXPECT_GE(std::min(b.processingSize({640, 480}).width, b.processingSize({640, 480}).height),
              BrushSizer::kMinSide - 1);
}

TEST(BrushSizer, AutoShrinksWhenFramesAreSlowAndGrowsWhenFast)
{
    BrushSizer b(10);  // 100 ms budget
    auto t = BrushSizer::Clock::now();
    const double start = b.scale();
    b.report(5000, t);            // plan build: ignored
    EXPECT_DOUBLE_EQ(b.scale(), start);
    b.report(400, t += 2s);       // 4x over budget
    EXPECT_LT(b.scale(), start);
    EXPECT_GE(b.scale(), start * 0.5 - 1e-9);  // at most halved in one step
    const double shrunk = b.scale();
    b.report(30, t += 2s);         // first frame at the new size: ignored
    b.report(30, t += 2s);         // fast: grows
    EXPECT_GT(b.scale(), shrunk);
}

TEST(BrushSizer, ChangesAtMostOncePerSettlePeriod)
{
    BrushSizer b(10);
    auto t = BrushSizer::Clock::now();
    b.report(100, t);
    b.report(1000, t += 2s);
    const double once = b.scale();
    b.report(1000, t += 100ms);
    b.report(1000, t += 100ms);
    EXPECT_DOUBLE_EQ(b.scale(), once);
}

TEST(BrushSizer, FixedPercentIgnoresTimings)
{
    BrushSizer b(10);
    b.setPercent(75);
    auto t = BrushSizer::Clock::now();
    for (int i = 0; i < 5; ++i)
        b.report(10000, t += 2s);
    EXPECT_DOUBLE_EQ(b.scale(), 0.75);
}

}  // namespace
}  // namespace stylize::studio
