// PreviewRenderer: small renders of the sample image, through the disk cache.
#include "studio/preview_renderer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

#include "image_io.h"
#include "stylizer.h"

namespace stylize::studio {
namespace {
constexpr int kPreviewWidth = 288;  // cards show 184 px; room for high-dpi screens
}

PreviewRenderer::PreviewRenderer(vk::Context& context, const model::Model& model, QString sampleImage,
                                 QString cacheFolder, std::shared_ptr<vk::PipelineCache> pipelines)
    : context_(context), model_(model), sampleImage_(std::move(sampleImage)), cacheFolder_(std::move(cacheFolder)),
      pipelines_(std::move(pipelines))
{
}

PreviewRenderer::~PreviewRenderer() = default;

QImage PreviewRenderer::render(const StyleCard& card)
{
    // The style's id (model file and slot, or the picture) and what could change it.
    const QFileInfo file(card.modelPath);
    const QFileInfo picture(card.picture ? card.source : QString());
    const QByteArray key = QCryptographicHash::hash(
        (card.id + "|" + QString::number(file.lastModified().toMSecsSinceEpoch()) + "|" +
         QString::number(card.picture ? picture.lastModified().toMSecsSinceEpoch() : 0) + "|" +
         QString::number(kPreviewWidth))
            .toUtf8(),
        QCryptographicHash::Sha1);
    const QString cached = cacheFolder_.isEmpty() ? QString() : QDir(cacheFolder_).filePath(key.toHex() + ".png");
    if (!cached.isEmpty()) {
        QImage image(cached);
        if (!image.isNull())
            return image;
    }

    if (sample_.rgba.empty())
        sample_ = app::readImage(sampleImage_.toStdString());
    const int height = std::max(2, sample_.height * kPreviewWidth / std::max(sample_.width, 1) / 2 * 2);
    if (!stylizer_) {
        render::StylizerOptions options;
        options.pipelines = pipelines_;  // the precision of its build
        stylizer_ = std::make_unique<render::Stylizer>(context_, model_, options);
    }
    std::vector<float> weights(model_.styleCount(), 0.f);
    weights.at(std::size_t(card.slot)) = 1.f;
    stylizer_->setStyleWeights(weights);
    render::Image out;
    stylizer_->run(sample_.view(), {kPreviewWidth, height}, {kPreviewWidth, height}, out);
    QImage image = QImage(out.rgba.data(), out.width, out.height, out.width * 4, QImage::Format_RGBA8888).copy();
    if (!cached.isEmpty() && QDir().mkpath(cacheFolder_))
        image.save(cached, "PNG");  // a cache: failing to write it only costs a re-render
    return image;
}

}  // namespace stylize::studio
