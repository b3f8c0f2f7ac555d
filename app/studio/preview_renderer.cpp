// renderPreview: a small render of the sample image, through the disk cache.
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

QImage renderPreview(vk::Context& context, const model::Model& model, const StyleCard& card,
                     const QString& sampleImage, const QString& cacheFolder)
{
    const QFileInfo file(card.modelPath);
    const QByteArray key = QCryptographicHash::hash(
        (card.modelPath + "|" + QString::number(file.lastModified().toMSecsSinceEpoch()) + "|" +
         QString::number(card.slot) + "|" + QString::number(kPreviewWidth)).toUtf8(),
        QCryptographicHash::Sha1);
    const QString cached = cacheFolder.isEmpty() ? QString() : QDir(cacheFolder).filePath(key.toHex() + ".png");
    if (!cached.isEmpty()) {
        QImage image(cached);
        if (!image.isNull())
            return image;
    }

    const render::Image sample = app::readImage(sampleImage.toStdString());
    const int height = std::max(2, sample.height * kPreviewWidth / std::max(sample.width, 1) / 2 * 2);
    render::Stylizer stylizer(context, model);
    std::vector<float> weights(model.styleCount(), 0.f);
    weights[card.slot] = 1.f;
    stylizer.setStyleWeights(weights);
    render::Image out;
    stylizer.run(sample.view(), {kPreviewWidth, height}, {kPreviewWidth, height}, out);
    QImage image = QImage(out.rgba.data(), out.width, out.height, out.width * 4, QImage::Format_RGBA8888).copy();
    if (!cached.isEmpty() && QDir().mkpath(cacheFolder))
        image.save(cached, "PNG");  // a cache: failing to write it only costs a re-render
    return image;
}

}  // namespace stylize::studio
