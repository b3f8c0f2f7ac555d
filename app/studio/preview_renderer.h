// Gallery previews: a style applied to the sample image, cached on disk by model file,
// its modification time and the slot, so the gallery fills instantly on later starts.
#pragma once

#include <memory>

#include <QImage>
#include <QString>

#include "image.h"
#include "model/model.h"
#include "studio/studio_types.h"

namespace stylize::vk {
class Context;
class PipelineCache;
}
namespace stylize::render {
class Stylizer;
}

namespace stylize::studio {

// Renders the previews of one model's styles. One stylizer (one plan, one set of
// pipelines) and one decoded sample image serve all of them, made on the first cache miss.
class PreviewRenderer {
public:
    // `pipelines`: shared with the other renderers of this thread (null: its own).
    PreviewRenderer(vk::Context& context, const model::Model& model, QString sampleImage, QString cacheFolder,
                    std::shared_ptr<vk::PipelineCache> pipelines = {});
    ~PreviewRenderer();
    PreviewRenderer(const PreviewRenderer&) = delete;
    PreviewRenderer& operator=(const PreviewRenderer&) = delete;

    // `card` must be a style of this renderer's model. Throws std::exception naming what
    // failed (unreadable sample image, engine error).
    QImage render(const StyleCard& card);

private:
    vk::Context& context_;
    const model::Model& model_;
    QString sampleImage_, cacheFolder_;
    std::shared_ptr<vk::PipelineCache> pipelines_;
    render::Image sample_;  // decoded on the first cache miss, for all styles
    std::unique_ptr<render::Stylizer> stylizer_;
};

}  // namespace stylize::studio
