// An export started from the desktop app: a video file stylized with the live view's
// blend, on threads of its own, reporting progress and ending with a sentence.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <QString>

#include "studio/studio_types.h"

namespace stylize::vk {
class Context;
}

namespace stylize::studio {

struct ModelBlend;

class StudioExport {
public:
    using ProgressFn = std::function<void(const ExportProgress&)>;
    using FinishedFn = std::function<void(bool ok, const QString& message)>;

    // `models`: the blend resolved by the caller (StyleLibrary::resolve, under its lock);
    // the models travel with it, so the export never reads the library.
    // `framesInFlight` (1 or 2; 0: render::Stylizer::defaultFramesInFlight, two on a GPU):
    // frames submitted before the oldest is collected, so that one frame's upload and
    // readback overlap another's compute. Blends across models go one at a time (they are
    // mixed on the CPU between the models' runs).
    StudioExport(vk::Context& context, std::vector<ModelBlend> models, const BlendSettings& blend,
                 const ExportRequest& request, int framesInFlight = 0);
    ~StudioExport();

    void start(ProgressFn progress, FinishedFn finished);
    void cancel();
    void wait();
    bool running() const;
    // How many frames the export keeps on the device (1 for blends across models).
    int framesInFlight() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace stylize::studio
