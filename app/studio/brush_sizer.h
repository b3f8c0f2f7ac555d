// Chooses the processing size ("brush size") of the live view: a fixed share of the
// frame, or automatically the largest size that keeps the view near its target frame
// rate (lowered when frames take too long, raised again when there is time to spare).
#pragma once

#include <chrono>

#include "image.h"

namespace stylize::studio {

class BrushSizer {
public:
    using Clock = std::chrono::steady_clock;

    explicit BrushSizer(double targetFps = 15.0);

    void setPercent(int percent);  // 0: automatic
    int percent() const { return percent_; }
    double scale() const { return percent_ > 0 ? percent_ / 100.0 : autoScale_; }

    // The size to process `frame` at: its aspect kept, even sides, at least kMinSide px
    // on the shorter side (never more than the frame).
    render::Size processingSize(render::Size frame) const;

    // The stylizer's time for one frame. The first frame after a size change includes
    // building the plan and is ignored; sizes change at most once per settle period.
    void report(double milliseconds, Clock::time_point now = Clock::now());

    // Below about 144 px on the short side the strokes are as large as the objects and a
    // 640x360 view shows mush; a CPU driver then runs the light network at 4-6 fps
    // (256x144: 160-230 ms on lavapipe, 2 cores) rather than 13 fps of blur (128x72).
    static constexpr int kMinSide = 144;

private:
    double targetMs_;
    int percent_ = 0;
    double autoScale_ = 0.5;
    int framesAtSize_ = 0;
    double averageMs_ = 0;
    Clock::time_point lastChange_{};
};

}  // namespace stylize::studio
