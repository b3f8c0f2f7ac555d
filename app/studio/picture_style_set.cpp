// PictureStyleSet: pictures → style vectors (predictor or cache) → one model snapshot.
#include "studio/picture_style_set.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include "image_io.h"
#include "picture_styles.h"

namespace stylize::studio {
namespace {

constexpr int kThumbnailSide = 256;  // cards show 184x108; room for high-dpi screens
constexpr int kCacheVersion = 1;

std::vector<std::uint8_t> thumbnailPng(const render::Image& picture)
{
    const QImage full(picture.rgba.data(), picture.width, picture.height, picture.width * 4, QImage::Format_RGBA8888);
    const QImage small = full.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    small.save(&buffer, "PNG");
    return {png.begin(), png.end()};
}

}  // namespace

struct PictureStyleSet::Picture {
    QString path;  // absolute
    qint64 bytes = -1;
    qint64 modified = -1;  // ms since the epoch
    app::PictureStyle style;
};

PictureStyleSet::PictureStyleSet(const QString& folder, QString cacheFile)
    : folder_(QFileInfo(folder).absoluteFilePath()),
      cacheFile_(std::move(cacheFile)),
      magenta_(std::make_shared<const app::MagentaStyles>(folder_.toStdString()))
{
    if (cacheFile_.isEmpty())
        return;
    QFile file(cacheFile_);
    if (!file.open(QIODevice::ReadOnly))
        return;  // no cache yet
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    if (root.value("version").toInt() != kCacheVersion || root.value("model").toString() != folder_)
        return;  // another model's vectors: predicted again as pictures are added
    for (const QJsonValue& value : root.value("pictures").toArray()) {
        const QJsonObject o = value.toObject();
        Picture p;
        p.path = o.value("path").toString();
        p.bytes = qint64(o.value("bytes").toDouble(-1));
        p.modified = qint64(o.value("modified").toDouble(-1));
        p.style.info.name = o.value("name").toString().toStdString();
        for (const QJsonValue& v : o.value("vector").toArray())
            p.style.vector.push_back(float(v.toDouble(NAN)));
        const QByteArray png = QByteArray::fromBase64(o.value("thumbnail").toString().toLatin1());
        p.style.info.thumbnail.assign(png.begin(), png.end());
        const bool finite =
            std::all_of(p.style.vector.begin(), p.style.vector.end(), [](float v) { return std::isfinite(v); });
        if (!p.path.isEmpty() && finite && int(p.style.vector.size()) == magenta_->vectorSize())
            cache_.push_back(std::move(p));  // a damaged entry is predicted again
    }
}

PictureStyleSet::~PictureStyleSet() = default;

bool PictureStyleSet::isModelFolder(const QString& path)
{
    return app::isMagentaFolder(path.toStdString());
}

QString PictureStyleSet::idFor(const QString& picturePath)
{
    return "picture:" + QFileInfo(picturePath).absoluteFilePath();
}

QString PictureStyleSet::pathOf(const QString& id) { return id.mid(QStringLiteral("picture:").size()); }

QString PictureStyleSet::add(const QString& picturePath)
{
    const QFileInfo info(picturePath);
    const QString path = info.absoluteFilePath();
    const QString id = idFor(path);
    if (std::any_of(pictures_.begin(), pictures_.end(), [&](const Picture& p) { return p.path == path; }))
        return id;
    const qint64 bytes = info.exists() ? info.size() : -1;
    const qint64 modified = info.exists() ? info.lastModified().toMSecsSinceEpoch() : -1;
    // The cache knows it if the file is unchanged, or gone (its vector is all that is left).
    auto cached = std::find_if(cache_.begin(), cache_.end(), [&](const Picture& p) {
        return p.path == path && (!info.exists() || (p.bytes == bytes && p.modified == modified));
    });
    Picture picture;
    if (cached != cache_.end()) {
        picture = *cached;
    } else {
        if (!info.exists())
            throw std::runtime_error("'" + path.toStdString() + "' does not exist");
        const render::Image image = app::readImage(path.toStdString());
        picture.path = path;
        picture.bytes = bytes;
        picture.modified = modified;
        picture.style.vector = magenta_->predict(image.view());
        picture.style.info.name = info.completeBaseName().toStdString();
        picture.style.info.thumbnail = thumbnailPng(image);
        ++predictions_;
        cache_.erase(std::remove_if(cache_.begin(), cache_.end(), [&](const Picture& p) { return p.path == path; }),
                     cache_.end());
        cache_.push_back(picture);
        saveCache();
    }
    picture.style.info.title = "Picture style";
    picture.style.info.source = path.toStdString();
    pictures_.push_back(std::move(picture));
    rebuild();
    return id;
}

bool PictureStyleSet::remove(const QString& id)
{
    const auto it =
        std::find_if(pictures_.begin(), pictures_.end(), [&](const Picture& p) { return idFor(p.path) == id; });
    if (it == pictures_.end())
        return false;
    pictures_.erase(it);
    rebuild();
    return true;
}

std::vector<QString> PictureStyleSet::ids() const
{
    std::vector<QString> ids;
    for (const Picture& p : pictures_)
        ids.push_back(idFor(p.path));
    return ids;
}

void PictureStyleSet::rebuild()
{
    if (pictures_.empty()) {
        model_.reset();
        return;
    }
    std::vector<app::PictureStyle> styles;
    for (const Picture& p : pictures_)
        styles.push_back(p.style);
    auto m = std::make_shared<model::Model>(magenta_->withStyles(styles));
    m->name = "Picture styles";
    model::validate(*m);
    model_ = std::move(m);
}

void PictureStyleSet::saveCache() const
{
    if (cacheFile_.isEmpty())
        return;
    QJsonArray pictures;
    for (const Picture& p : cache_) {
        QJsonArray vector;
        for (float v : p.style.vector)
            vector.append(double(v));
        const QByteArray png(reinterpret_cast<const char*>(p.style.info.thumbnail.data()),
                             qsizetype(p.style.info.thumbnail.size()));
        pictures.append(QJsonObject{{"path", p.path},
                                    {"bytes", double(p.bytes)},
                                    {"modified", double(p.modified)},
                                    {"name", QString::fromStdString(p.style.info.name)},
                                    {"vector", vector},
                                    {"thumbnail", QString::fromLatin1(png.toBase64())}});
    }
    const QJsonObject root{{"version", kCacheVersion}, {"model", folder_}, {"pictures", pictures}};
    QDir().mkpath(QFileInfo(cacheFile_).absolutePath());
    QSaveFile file(cacheFile_);  // written whole or not at all
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(root).toJson(QJsonDocument::Compact));
        file.commit();  // a cache: failing to write it only costs a prediction next time
    }
}

}  // namespace stylize::studio
