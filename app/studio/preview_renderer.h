// Gallery previews: a style applied to the sample image, cached on disk by model file,
// its modification time and the slot, so the gallery fills instantly on later starts.
#pragma once

#include <QImage>
#include <QString>

#include "model/model.h"
#include "studio/studio_types.h"

namespace stylize::vk {
class Context;
}

namespace stylize::studio {

// `model` is the card's model. Throws std::exception naming what failed (unreadable
// sample image, engine error).
QImage renderPreview(vk::Context& context, const model::Model& model, const StyleCard& card,
                     const QString& sampleImage, const QString& cacheFolder);

}  // namespace stylize::studio
