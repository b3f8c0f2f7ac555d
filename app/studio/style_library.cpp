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

void StyleLibrary::setPictureStyles(const QString& folder, std::shared_ptr<model::Model> model,
                                    std::vector<QString> ids, std::shared_ptr<const app::MagentaStyles> magenta)
{
    const auto it = std::find_if(models_.begin(), models_.end(), [&](const Entry& e) { return e.path == folder; });
    if (!model) {
        if (it != models_.end())
            models_.erase(it);
        return;
    }
    Entry entry{folder, std::move(model), std::move(ids), std::move(magenta)};
    if (it != models_.end())
        *it = std::move(entry);
    else
        models_.push_back(std::move(entry));
}

int StyleLibrary::styleCount() const
{
    int n = 0;
    for (const Entry& e : models_)
        n += e.model->styleCount();
    return n;
}

QString StyleLibrary::idOf(const Entry& e, int slot) const
{
    return e.slotIds.empty() ? styleId(e.path, slot) : e.slotIds.at(std::size_t(slot));
}

int StyleLibrary::slotOf(const Entry& e, const QString& id) const
{
    if (!e.slotIds.empty()) {
        const auto it = std::find(e.slotIds.begin(), e.slotIds.end(), id);
        return it == e.slotIds.end() ? -1 : int(it - e.slotIds.begin());
    }
    const QString prefix = e.path + "#";
    if (!id.startsWith(prefix))
        return -1;
    bool ok = false;
    const int slot = id.mid(prefix.size()).toInt(&ok);
    return ok && slot >= 0 && slot < e.model->styleCount() ? slot : -1;
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
            card.id = idOf(e, slot);
            card.modelPath = e.path;
            card.picture = !e.slotIds.empty();
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
            const int slot = slotOf(models_[m], w.id);
            if (slot < 0)
                continue;
            auto it = std::find_if(result.begin(), result.end(), [&](const ModelBlend& b) { return b.model == int(m); });
            if (it == result.end()) {
                result.push_back({int(m), models_[m].model, std::vector<float>(models_[m].model->styleCount(), 0.f), 0.f,
                                  models_[m].magenta});
                it = std::prev(result.end());
            }
            it->slotWeights[slot] += float(w.weight);
            it->share += float(w.weight);
            total += w.weight;
        }
    }
    if (result.empty()) {
        for (std::size_t m = 0; m < models_.size(); ++m) {
            if (models_[m].model->styleCount() == 0)
                continue;
            ModelBlend first{int(m), models_[m].model, std::vector<float>(models_[m].model->styleCount(), 0.f), 1.f,
                             models_[m].magenta};
            first.slotWeights[0] = 1.f;
            return {first};
        }
        return {};
    }
    for (ModelBlend& b : result) {
        for (float& w : b.slotWeights)
            w /= b.share;
        b.share = float(b.share / total);
    }
    return result;
}

}  // namespace stylize::studio
