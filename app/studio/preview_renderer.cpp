// renderPreview: a small render of the sample image, through the disk cache.
#include "studio/preview_renderer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>

#include "image_io.h"
#include "studio/style_library.h"
#include "stylizer.h"

namespace stylize::studio {
namespace {
constexpr int kPreviewWidth = 288;  // cards show 184 px; room for high-dpi screens
}

QImage renderPreview(vk::Context& context, const StyleLibrary& library, const StyleCard& card,
                     const QString& sampleImage, const QString& cacheFolder)
{
    const QFileInfo model(card.modelPath);
    const QByteArray key = QCryptographicHash::hash(
        (card.modelPath + "|" + QString::number(model.lastModified().toMSecsSinceEpoch()) + "|" +
         QString::number(card.slot) + "|" + QString::number(kPreviewWidth)).toUtf8(),
        QCryptographicHash::Sha1);
    const QString cached = cacheFolder.isEmpty() ? QString() : QDir(cacheFolder).filePath(key.toHex() + ".png");
    if (!cached.isEmpty()) {
        QImage image(cached);
        if (!image.isNull())
            return image;
    }

    int modelIndex = -1;
    for (int i = 0; i < library.modelCount(); ++i)
        if (library.modelPath(i) == card.modelPath)
            modelIndex = i;
    if (modelIndex < 0)
        throw std::runtime_error("the style's model is not loaded");
    const render::Image sample = app::readImage(sampleImage.toStdString());
    const int height = std::max(2, sample.height * kPreviewWidth / std::max(sample.width, 1) / 2 * 2);
    render::Stylizer stylizer(context, library.model(modelIndex));
    std::vector<float> weights(library.model(modelIndex).styleCount(), 0.f);
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
