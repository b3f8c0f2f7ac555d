// loadPictureStyles: predictor on each picture, transfer network with one slot per picture.
#include "picture_styles.h"

#include <algorithm>
#include <stdexcept>

#include "cpu/style_predictor.h"
#include "image_io.h"
#include "model/magenta_loader.h"

namespace stylize::app {
namespace {

namespace fs = std::filesystem;

// The folder's file whose name starts with `stem`; the fp16 transfer network before int8.
fs::path findFile(const fs::path& folder, const std::string& stem)
{
    fs::path best;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(stem, 0) != 0 || entry.path().extension() != ".tflite")
            continue;
        if (best.empty() || name.find("f16") != std::string::npos)
            best = entry.path();
    }
    return best;
}

}  // namespace

bool isMagentaFolder(const fs::path& folder)
{
    std::error_code ec;
    return fs::is_directory(folder, ec) && !findFile(folder, "style_predict").empty() &&
           !findFile(folder, "style_transfer").empty();
}

MagentaStyles::MagentaStyles(const fs::path& folder) : folder_(folder)
{
    if (!isMagentaFolder(folder))
        throw std::runtime_error(folder.string() +
                                 " is not Magenta's arbitrary-style model: expected a folder with "
                                 "style_predict*.tflite and style_transfer*.tflite (TensorFlow Lite's artistic "
                                 "style transfer example publishes them)");
    transfer_ = model::loadMagentaTransfer(findFile(folder, "style_transfer"));
    predictor_ = std::make_unique<cpu::StylePredictor>(findFile(folder, "style_predict"));
}

MagentaStyles::~MagentaStyles() = default;

std::vector<float> MagentaStyles::predict(const render::ImageView& picture) const { return predictor_->predict(picture); }

model::Model MagentaStyles::withStyles(const std::vector<PictureStyle>& styles) const
{
    model::Model m = transfer_.model;
    for (const PictureStyle& style : styles)
        transfer_.projection.addStyle(m, style.vector, style.info);
    return m;
}

model::Model MagentaStyles::withContent(const model::Model& pictures, const std::vector<float>& content) const
{
    model::Model m = pictures;
    model::StyleInfo info;
    info.name = "content";
    info.title = "The frame's own style";
    transfer_.projection.addStyle(m, content, info);
    return m;
}

std::vector<float> contentMixWeights(const std::vector<float>& pictureWeights, float strength)
{
    const float s = std::clamp(strength, 0.f, 1.f);
    std::vector<float> weights;
    for (float w : pictureWeights)
        weights.push_back(w * s);
    weights.push_back(1.f - s);
    return weights;
}

PictureStyles loadPictureStyles(const fs::path& folder, const std::string& pictures)
{
    auto shared = std::make_shared<const MagentaStyles>(folder);
    const MagentaStyles& magenta = *shared;
    std::vector<PictureStyle> styles;
    PictureStyles out;
    std::size_t start = 0;
    double total = 0;
    while (start <= pictures.size()) {
        const std::size_t comma = pictures.find(',', start);
        const std::string item = pictures.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? pictures.size() + 1 : comma + 1;
        if (item.empty())
            continue;
        std::string path = item;
        double weight = 1;
        // "a.jpg=0.7": the last '=' followed by a number is the weight.
        if (const std::size_t eq = item.rfind('='); eq != std::string::npos) {
            try {
                std::size_t used = 0;
                const double w = std::stod(item.substr(eq + 1), &used);
                if (used == item.size() - eq - 1) {
                    path = item.substr(0, eq);
                    weight = w;
                }
            } catch (const std::exception&) {
            }
        }
        if (!(weight >= 0) || weight > 1e6)
            throw std::runtime_error("--style-image: the weight of " + path + " must be zero or positive");
        const render::Image picture = readImage(path);
        PictureStyle style;
        style.vector = magenta.predict(picture.view());
        style.info.name = fs::path(path).stem().string();
        style.info.source = path;
        styles.push_back(std::move(style));
        out.weights.push_back(float(weight));
        total += weight;
    }
    if (out.weights.empty())
        throw std::runtime_error("--style-image names no picture; give PICTURE[=w][,PICTURE[=w]...]");
    if (!(total > 0))
        throw std::runtime_error("--style-image: the weights add up to zero");
    for (float& w : out.weights)
        w = float(w / total);
    out.model = magenta.withStyles(styles);
    model::validate(out.model);
    out.magenta = std::move(shared);
    return out;
}

}  // namespace stylize::app
