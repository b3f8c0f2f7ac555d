// The styles the app offers: every slot of every loaded model file, as gallery cards,
// and the resolution of a blend (style ids with weights) into per-model weights.
#pragma once

#include <memory>
#include <vector>

#include <QList>
#include <QString>

#include "model/model.h"
#include "studio/studio_types.h"

namespace stylize::app {
class MagentaStyles;
}

namespace stylize::studio {

// How much of one model a blend uses: its slot weights (summing to 1) and its share of
// the output (summing to 1 over models; several models blend in output space).
struct ModelBlend {
    int model = 0;                                 // index in the library
    std::shared_ptr<const model::Model> shared;   // the model itself: immutable, safe on any thread
    std::vector<float> slotWeights;
    float share = 1.f;
    // Picture styles: the model they come from, with which strength mixes their vectors
    // with the content's own (see BlendedStylizer::setContent); null for other models.
    std::shared_ptr<const app::MagentaStyles> magenta;
};

class StyleLibrary {
public:
    // Loads a model file and adds its styles. Throws std::exception with a message that
    // names the file; a file already loaded is not added twice.
    void add(const QString& path);
    // add() in two steps, so the slow one runs outside the lock that guards the library:
    // load() parses and checks the file (any thread, no library access), append() adds it.
    struct Loaded {
        QString path;  // absolute
        std::shared_ptr<model::Model> model;
    };
    static Loaded load(const QString& path);
    bool contains(const QString& path) const;
    void append(Loaded loaded);
    // The picture styles (see PictureStyleSet): `model` has one slot per id, made by
    // `magenta`; it replaces the last one given under `folder`. A null model removes them.
    void setPictureStyles(const QString& folder, std::shared_ptr<model::Model> model, std::vector<QString> ids,
                          std::shared_ptr<const app::MagentaStyles> magenta = nullptr);
    // Style slots over all models.
    int styleCount() const;
    QList<StyleCard> cards() const;
    int modelCount() const { return int(models_.size()); }
    const model::Model& model(int index) const { return *models_[index].model; }
    // Shared ownership for other threads: a loaded model is never changed.
    std::shared_ptr<const model::Model> sharedModel(int index) const { return models_[index].model; }
    const QString& modelPath(int index) const { return models_[index].path; }
    // Ids not in the library are ignored; an empty or all-zero blend selects the first style.
    std::vector<ModelBlend> resolve(const BlendSettings& blend) const;
    static QString styleId(const QString& modelPath, int slot);

private:
    struct Entry {
        QString path;
        std::shared_ptr<model::Model> model;
        std::vector<QString> slotIds;  // picture styles: the id of each slot; else empty (ids are path#slot)
        std::shared_ptr<const app::MagentaStyles> magenta;  // picture styles: the model that made them
    };
    QString idOf(const Entry& e, int slot) const;
    int slotOf(const Entry& e, const QString& id) const;  // -1 if not one of e's
    std::vector<Entry> models_;
};

}  // namespace stylize::studio
