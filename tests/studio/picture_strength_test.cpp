// BlendedStylizer's strength for picture styles: once the content's style vector is
// known, picture styles mix their vectors with it (Magenta's strength) and are not mixed
// with the frame; other models keep the output mix. Checked against plain stylizers of
// models built by hand: the picture and the content as two slots, weighted.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "frame.h"
#include "image_io.h"
#include "model/loaders.h"
#include "picture_styles.h"
#include "studio/blended_stylizer.h"
#include "studio/live_stylize.h"
#include "studio/style_library.h"
#include "stylizer.h"
#include "support/test_paths.h"
#include "vk/context.h"

namespace stylize::studio {
namespace {

namespace fs = std::filesystem;

render::Image gradient(int w, int h)
{
    render::Image image;
    image.width = w;
    image.height = h;
    image.rgba.resize(std::size_t(w) * h * 4);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint8_t* p = &image.rgba[(std::size_t(y) * w + x) * 4];
            p[0] = std::uint8_t(x * 255 / (w - 1));
            p[1] = std::uint8_t(y * 255 / (h - 1));
            p[2] = std::uint8_t(((x / 8 + y / 8) % 2) * 200 + 20);
            p[3] = 255;
        }
    return image;
}

int maxDifference(const render::Image& a, const render::Image& b)
{
    int worst = 0;
    for (std::size_t i = 0; i < a.rgba.size(); ++i)
        worst = std::max(worst, std::abs(int(a.rgba[i]) - int(b.rgba[i])));
    return worst;
}

class PictureStrength : public ::testing::Test {
protected:
    void SetUp() override
    {
        STYLIZE_REQUIRE_FIXTURES();
        try {
            context_ = std::make_unique<vk::Context>("");
        } catch (const std::exception& e) {
            GTEST_SKIP() << "no Vulkan device: " << e.what();
        }
        magenta_ = std::make_shared<const app::MagentaStyles>(test::fixturesDir() / "models" / "magenta-arbitrary");
        frame_ = gradient(64, 48);
        wave_.vector = magenta_->predict(
            app::readImage(test::fixturesDir().parent_path() / "training" / "styles" / "GreatWave.png").view());
        wave_.info.name = "wave";
        content_ = magenta_->predict(frame_.view());
    }

    // The frame through a plain stylizer of `m` at these weights and look.
    render::Image plain(const model::Model& m, const std::vector<float>& weights, render::OutputLook look)
    {
        render::Stylizer s(*context_, m, {render::Stylizer::defaultPrecision(*context_)});  // as BlendedStylizer
        s.setStyleWeights(weights);
        s.setLook(look);
        render::Image out;
        s.run(frame_.view(), frame_.size(), frame_.size(), out);
        return out;
    }

    render::Image blended(BlendedStylizer& b)
    {
        render::Image out;
        out.width = frame_.width;
        out.height = frame_.height;
        out.rgba.resize(frame_.rgba.size());
        b.run(render::frameView(frame_.view()), frame_.size(), render::frameView(out));
        return out;
    }

    std::unique_ptr<vk::Context> context_;
    std::shared_ptr<const app::MagentaStyles> magenta_;
    render::Image frame_;
    app::PictureStyle wave_;
    std::vector<float> content_;
};

TEST_F(PictureStrength, MixesThePicturesVectorWithTheContentsOwn)
{
    if (!context_)
        return;
    auto pictures = std::make_shared<const model::Model>(magenta_->withStyles({wave_}));
    ModelBlend pictureBlend{0, pictures, {1.f}, 1.f, magenta_};
    BlendedStylizer stylizer(*context_);

    // Full strength needs no content vector.
    stylizer.setBlend({pictureBlend}, {1.f, false});
    EXPECT_EQ(stylizer.contentPredictor(), nullptr);
    EXPECT_EQ(maxDifference(blended(stylizer), plain(*pictures, {1.f}, {1.f, false})), 0);

    // Below it, until the content's vector is known: the output mix, as for any style.
    stylizer.setBlend({pictureBlend}, {0.4f, false});
    ASSERT_EQ(stylizer.contentPredictor(), magenta_);
    EXPECT_LE(maxDifference(blended(stylizer), plain(*pictures, {1.f}, {0.4f, false})), 1);

    // Then the vector mix: the picture at 0.4, the content at 0.6, the output unmixed.
    stylizer.setContent(content_);
    app::PictureStyle content{content_, {}};
    const model::Model byHand = magenta_->withStyles({wave_, content});
    const render::Image mixed = blended(stylizer);
    EXPECT_LE(maxDifference(mixed, plain(byHand, {0.4f, 0.6f}, {1.f, false})), 1);
    EXPECT_GT(maxDifference(mixed, plain(*pictures, {1.f}, {0.4f, false})), 10) << "still the output mix";

    // A new strength reweighs the same model; the vector stays until replaced.
    stylizer.setBlend({pictureBlend}, {0.8f, true});
    EXPECT_LE(maxDifference(blended(stylizer), plain(byHand, {0.8f, 0.2f}, {1.f, true})), 1);
}

TEST_F(PictureStrength, OtherModelsInTheBlendKeepTheOutputMix)
{
    if (!context_)
        return;
    auto pictures = std::make_shared<const model::Model>(magenta_->withStyles({wave_}));
    auto pack = std::make_shared<const model::Model>(
        model::loadModel((test::dataDir() / "model" / "transformer_small.onnx").string()));
    const std::vector<float> packWeights(std::size_t(pack->styleCount()), 1.f / float(pack->styleCount()));
    BlendedStylizer stylizer(*context_);
    stylizer.setBlend({{0, pack, packWeights, 0.5f, nullptr}, {1, pictures, {1.f}, 0.5f, magenta_}}, {0.3f, false});
    EXPECT_EQ(stylizer.contentPredictor(), magenta_);
    stylizer.setContent(content_);
    const render::Image mixed = blended(stylizer);
    const render::Image fromPack = plain(*pack, packWeights, {0.3f, false});
    app::PictureStyle content{content_, {}};
    const render::Image fromPictures = plain(magenta_->withStyles({wave_, content}), {0.3f, 0.7f}, {1.f, false});
    int worst = 0;
    for (std::size_t i = 0; i < mixed.rgba.size(); ++i) {
        const int expected = int(std::lround(0.5 * fromPack.rgba[i] + 0.5 * fromPictures.rgba[i]));
        worst = std::max(worst, std::abs(int(mixed.rgba[i]) - expected));
    }
    EXPECT_LE(worst, 1);
}

// The app's live stage: a picture style at 50% paints with the picture's and the
// content's vectors half and half once the predictor (on a helper thread) has read the
// first frame of the source, and again for a new source.
TEST_F(PictureStrength, TheLiveStageTakesTheContentsVectorFromTheSource)
{
    if (!context_)
        return;
    StyleLibrary library;
    std::mutex libraryMutex;
    const QString id = "picture:/pictures/wave.png";
    library.setPictureStyles("/magenta", std::make_shared<model::Model>(magenta_->withStyles({wave_})), {id}, magenta_);
    LiveStylize live(*context_, library, libraryMutex, 15, {});
    BlendSettings blend;
    blend.styles = {{id, 1.0}};
    blend.strength = 0.5;
    blend.brushPercent = 100;
    live.setBlend(blend);

    const auto paintsWith = [&](const render::Image& frame, const std::vector<float>& content) {
        app::PictureStyle c{content, {}};
        const render::Image saved = frame_;
        frame_ = frame;
        const render::Image expected = plain(magenta_->withStyles({wave_, c}), {0.5f, 0.5f}, {1.f, false});
        frame_ = saved;
        render::FrameGeometry geometry;
        geometry.width = frame.width;
        geometry.height = frame.height;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        int last = -1;
        while (std::chrono::steady_clock::now() < deadline) {
            const render::SharedFrame out = live(render::frameView(frame.view()), geometry);
            if (out.memory) {
                last = 0;
                for (int y = 0; y < frame.height; ++y)
                    for (int x = 0; x < frame.width * 4; ++x)
                        last = std::max(last, std::abs(int(out.planes[0][y * out.strides[0] + x]) -
                                                       int(expected.rgba[std::size_t(y) * frame.width * 4 + x])));
                if (last <= 1)
                    return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "never painted with the content's vector; last difference " << last;
        return false;
    };
    EXPECT_TRUE(paintsWith(frame_, content_));

    // Another source: its own first frame gives the vector.
    render::Image other = gradient(64, 48);
    for (std::size_t i = 0; i < other.rgba.size(); i += 4)
        std::swap(other.rgba[i], other.rgba[i + 2]);
    live.sourceChanged();
    EXPECT_TRUE(paintsWith(other, magenta_->predict(other.view())));
}

}  // namespace
}  // namespace stylize::studio
