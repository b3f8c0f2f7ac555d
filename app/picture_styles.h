// Any picture as a style: Magenta's arbitrary-style model (a folder holding its two
// TensorFlow Lite files) made into a Stylize model whose style slots are pictures. The
// predictor turns each picture into a style vector once; the transfer network runs on
// the GPU like any other model, and pictures blend as slots do (a weighted mean of their
// vectors, since scale and shift are linear in the vector).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "image.h"
#include "model/magenta_loader.h"
#include "model/model.h"

namespace stylize::cpu {
class StylePredictor;
}

namespace stylize::app {

// True for a folder that holds style_predict*.tflite and style_transfer*.tflite.
bool isMagentaFolder(const std::filesystem::path& folder);

// One picture made a style: its style vector and what a card shows of it.
struct PictureStyle {
    std::vector<float> vector;
    model::StyleInfo info;  // name, source (the picture), thumbnail
};

// Magenta's model, loaded once: pictures in, style vectors out; vectors in, a Stylize
// model with one slot per vector out. Thread-safe once constructed (all const).
class MagentaStyles {
public:
    // Throws std::runtime_error naming the folder (not the model) or model::ModelError
    // naming the file and what does not fit.
    explicit MagentaStyles(const std::filesystem::path& folder);
    ~MagentaStyles();
    MagentaStyles(const MagentaStyles&) = delete;
    MagentaStyles& operator=(const MagentaStyles&) = delete;

    // The predictor on one picture (under a second on two CPU cores).
    std::vector<float> predict(const render::ImageView& picture) const;
    // The transfer network with these styles as its slots (none: a model without styles,
    // which is not valid to run until one is added).
    model::Model withStyles(const std::vector<PictureStyle>& styles) const;
    // Strength the way Magenta's authors give it: the pictures' vectors mixed with the
    // content's own (predict() on the frame being painted) rather than the painted frame
    // mixed with the original. A copy of `pictures` (a withStyles model) with `content`
    // as one more slot, the last; weigh it with contentMixWeights.
    model::Model withContent(const model::Model& pictures, const std::vector<float>& content) const;
    int vectorSize() const { return transfer_.projection.vectorSize; }
    const std::filesystem::path& folder() const { return folder_; }

private:
    std::filesystem::path folder_;
    model::MagentaTransfer transfer_;
    std::unique_ptr<cpu::StylePredictor> predictor_;
};

// Slot weights at `strength` for a withContent model: each picture's weight times the
// strength, then 1 - strength for the content's slot (0: the frame in its own style).
std::vector<float> contentMixWeights(const std::vector<float>& pictureWeights, float strength);

struct PictureStyles {
    model::Model model;          // one style slot per picture
    std::vector<float> weights;  // per slot, summing to 1
    std::shared_ptr<const MagentaStyles> magenta;  // for withContent at a strength below 1
};

// "PICTURE[=w][,PICTURE[=w]...]": the pictures' styles with their weights (default 1).
// Throws std::runtime_error naming the folder, picture or weight that is wrong.
PictureStyles loadPictureStyles(const std::filesystem::path& folder, const std::string& pictures);

}  // namespace stylize::app
