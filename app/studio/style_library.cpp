// StyleLibrary: loading, cards with the paintings' thumbnails, blend resolution.
#include "studio/style_library.h"

#include <algorithm>

#include <QFileInfo>

#include "model/loaders.h"

namespace stylize::studio {

QString StyleLibrary::styleId(const QString& modelPath, int slot) { return modelPath + "#" + QString::number(slot); }

StyleLibrary::Loaded StyleLibrary::load(const QString& path)
{
    const QString canonical = QFileInfo(path).absoluteFilePath();
    auto m = std::make_shared<model::Model>(model::loadModel(canonical.toStdString()));
    model::validate(*m);
    return {canonical, std::move(m)};
}

bool StyleLibrary::contains(const QString& path) const
{
    const QString canonical = QFileInfo(path).absoluteFilePath();
    return std::any_of(models_.begin(), models_.end(), [&](const Entry& e) { return e.path == canonical; });
}

void StyleLibrary::append(Loaded loaded)
{
    if (!contains(loaded.path))
        models_.push_back({loaded.path, std::move(loaded.model)});
}

void StyleLibrary::add(const QString& path)
{
    if (!contains(path))
        append(load(path));
}

QList<StyleCard> StyleLibrary::cards() const
{
    QList<StyleCard> cards;
    for (const Entry& e : models_) {
        for (int slot = 0; slot < e.model->styleCount(); ++slot) {
            const model::StyleInfo& info = e.model->styles[slot];
            StyleCard card;
            card.id = styleId(e.path, slot);
            card.modelPath = e.path;
            card.slot = slot;
            card.name = QString::fromStdString(info.name);
            if (card.name.isEmpty())
                card.name = QFileInfo(e.path).completeBaseName();
            card.title = QString::fromStdString(info.title);
            card.artist = QString::fromStdString(info.artist);
            card.year = QString::fromStdString(info.year);
            card.license = QString::fromStdString(info.license);
            card.source = QString::fromStdString(info.source);
            if (!info.thumbnail.empty())
                card.painting.loadFromData(info.thumbnail.data(), int(info.thumbnail.size()), "PNG");
            cards.append(card);
        }
    }
    return cards;
}

std::vector<ModelBlend> StyleLibrary::resolve(const BlendSettings& blend) const
{
    std::vector<ModelBlend> result;
    double total = 0;
    for (const StyleWeight& w : blend.styles) {
        if (!(w.weight > 0))
            continue;
        for (std::size_t m = 0; m < models_.size(); ++m) {
            const QString prefix = models_[m].path + "#";
            if (!w.id.startsWith(prefix))
                continue;
            bool ok = false;
            const int slot = w.id.mid(prefix.size()).toInt(&ok);
            if (!ok || slot < 0 || slot >= models_[m].model->styleCount())
                continue;
            auto it = std::find_if(result.begin(), result.end(), [&](const ModelBlend& b) { return b.model == int(m); });
            if (it == result.end()) {
                result.push_back({int(m), models_[m].model, std::vector<float>(models_[m].model->styleCount(), 0.f), 0.f});
                it = std::prev(result.end());
            }
            it->slotWeights[slot] += float(w.weight);
            it->share += float(w.weight);
            total += w.weight;
        }
    }
    if (result.empty() && !models_.empty()) {
        ModelBlend first{0, models_[0].model, std::vector<float>(models_[0].model->styleCount(), 0.f), 1.f};
        first.slotWeights[0] = 1.f;
        return {first};
    }
    for (ModelBlend& b : result) {
        for (float& w : b.slotWeights)
            w /= b.share;
        b.share = float(b.share / total);
    }
    return result;
}

}  // namespace stylize::studio
