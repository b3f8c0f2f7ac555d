// The user's own pictures as styles: Magenta's arbitrary-style model (imported once, a
// folder of two TensorFlow Lite files) and the pictures added to the gallery. Each
// picture's style vector is predicted once and kept in a cache file beside the previews
// (keyed by the picture's path, size and modification time), so the gallery comes back
// at the next start without running the predictor, and even if a picture has moved.
#pragma once

#include <memory>
#include <vector>

#include <QString>

#include "model/model.h"

namespace stylize::app {
class MagentaStyles;
}

namespace stylize::studio {

class PictureStyleSet {
public:
    // Loads the model in `folder` (throws std::exception naming the folder or file).
    // `cacheFile` empty: vectors are not kept across runs.
    PictureStyleSet(const QString& folder, QString cacheFile);
    ~PictureStyleSet();
    PictureStyleSet(const PictureStyleSet&) = delete;
    PictureStyleSet& operator=(const PictureStyleSet&) = delete;

    static bool isModelFolder(const QString& path);
    static QString idFor(const QString& picturePath);  // "picture:<absolute path>"
    static QString pathOf(const QString& id);           // idFor's inverse

    const QString& folder() const { return folder_; }
    // Adds `picturePath` (already added: nothing changes) and returns its style id. The
    // predictor runs unless the cache knows the picture. Throws std::exception naming the
    // picture when it cannot be read.
    QString add(const QString& picturePath);
    // False if the id is not one of these pictures.
    bool remove(const QString& id);
    bool empty() const { return pictures_.empty(); }
    int predictions() const { return predictions_; }  // predictor runs so far (the cache's misses)

    // The transfer network with one slot per picture, in the order added (null when
    // empty), and the ids of those slots. A new snapshot after every change: the old one
    // stays valid for whoever still holds it.
    std::shared_ptr<model::Model> model() const { return model_; }
    std::vector<QString> ids() const;
    // What made model(): its predictor gives the content's vector for strength.
    std::shared_ptr<const app::MagentaStyles> magenta() const { return magenta_; }

private:
    struct Picture;
    void rebuild();
    void saveCache() const;

    QString folder_;
    QString cacheFile_;
    std::shared_ptr<const app::MagentaStyles> magenta_;
    std::vector<Picture> pictures_;
    std::vector<Picture> cache_;  // every picture ever predicted (the cache file's contents)
    std::shared_ptr<model::Model> model_;
    int predictions_ = 0;
};

}  // namespace stylize::studio
