// Tests of validate(), inferShapes(), resolvePadding() and flops() on synthetic models.
#include <gtest/gtest.h>

#include <cmath>

#include "model/model.h"
#include "model_test_util.h"

namespace stylize::test {
namespace {

using namespace stylize::model;

TEST(Model, EveryOpModelIsValid)
{
    const Model m = everyOpModel(3);
    EXPECT_NO_THROW(validate(m));
    EXPECT_EQ(m.tensorCount(), int(m.nodes.size()) + 1);
}

TEST(Model, InferShapesFollowsEveryOp)
{
    const Model m = everyOpModel(1);
    const std::vector<Shape> s = inferShapes(m, 10, 14);
    ASSERT_EQ(s.size(), m.nodes.size() + 1);
    EXPECT_EQ(s[0], (Shape{3, 10, 14}));
    EXPECT_EQ(s[1], (Shape{4, 10, 14}));  // reflect 1, 3x3
    EXPECT_EQ(s[4], (Shape{6, 5, 7}));    // TfSame stride 2 rounds up
    EXPECT_EQ(s[5], (Shape{4, 10, 14}));  // transposed: (n-1)*2 + 3 - 0 - 1
    EXPECT_EQ(s[7], (Shape{4, 20, 28}));  // Upsample2x
    // upsampled to 40x56, padded to 41x58, 1x1 stride 2
    EXPECT_EQ(s[8], (Shape{3, 21, 29}));
    EXPECT_EQ(s.back().c, 3);
}

TEST(Model, ResolvePaddingTfSame)
{
    Conv c;
    c.kernelH = c.kernelW = 3;
    c.stride = 2;
    c.padding.rule = Padding::Rule::TfSame;
    // Even size at stride 2: nothing before, one after.
    ResolvedPadding p = resolvePadding(c, 8, 8);
    EXPECT_EQ(p.top, 0);
    EXPECT_EQ(p.bottom, 1);
    // Odd: one on each side.
    p = resolvePadding(c, 7, 9);
    EXPECT_EQ(p.top, 1);
    EXPECT_EQ(p.bottom, 1);
    EXPECT_EQ(p.left, 1);
    EXPECT_EQ(p.right, 1);
    c.kernelH = c.kernelW = 9;
    c.stride = 1;
    p = resolvePadding(c, 5, 5);
    EXPECT_EQ(p.top, 4);
    EXPECT_EQ(p.bottom, 4);
    // The padding applies to the upsampled input.
    c.kernelH = c.kernelW = 3;
    c.stride = 2;
    c.upsample2x = true;
    p = resolvePadding(c, 7, 7);  // 14 at stride 2
    EXPECT_EQ(p.top, 0);
    EXPECT_EQ(p.bottom, 1);
    c.padding = {Padding::Rule::Explicit, PadMode::Reflect, 1, 2, 3, 4};
    p = resolvePadding(c, 7, 7);
    EXPECT_EQ(p.top, 1);
    EXPECT_EQ(p.bottom, 2);
    EXPECT_EQ(p.left, 3);
    EXPECT_EQ(p.right, 4);
}

TEST(Model, FlopsCountsConvolutions)
{
    Model m;
    m.styles.resize(1);
    Conv c;
    c.inChannels = 3, c.outChannels = 3, c.kernelH = c.kernelW = 3;
    c.padding = {Padding::Rule::Explicit, PadMode::Zero, 1, 1, 1, 1};
    c.weights.resize(81);
    m.nodes.push_back({"c", c, {0}, 1});
    m.output = 1;
    validate(m);
    EXPECT_DOUBLE_EQ(flops(m, 4, 5), 2.0 * 4 * 5 * 3 * 3 * 9);
    EXPECT_GT(flops(everyOpModel(1), 16, 16), 0.0);
}

TEST(Model, ValidateNamesTheNodeAndWhatWasExpected)
{
    {
        Model m = everyOpModel(2);
        std::get<Conv>(m.nodes[3].op).inChannels = 5;
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'c2'"), std::string::npos) << e;
        EXPECT_NE(e.find("inChannels is 5, expected 4"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(2);
        std::get<Conv>(m.nodes[0].op).weights.pop_back();
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'c1'"), std::string::npos) << e;
        EXPECT_NE(e.find("expected 108"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(2);
        std::get<ConvTranspose>(m.nodes[4].op).weights.pop_back();
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'t1'"), std::string::npos) << e;
        EXPECT_NE(e.find("has 215 weights, expected 216 (in x out x kh x kw)"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(2);
        std::get<ConvTranspose>(m.nodes[4].op).bias.push_back(0.f);
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("has 5 biases, expected 4 or none"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(2);
        m.styles.pop_back();
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'n1'"), std::string::npos) << e;
        EXPECT_NE(e.find("one per style"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(1);
        m.nodes[5].inputs = {5, 9};
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'add'"), std::string::npos) << e;
        EXPECT_NE(e.find("earlier node"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(1);
        m.output = 5;  // 4 channels
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("expected 3"), std::string::npos) << e;
    }
    {
        Model m = everyOpModel(1);
        m.nodes[2].output = 7;
        EXPECT_NE(modelErrorOf([&] { validate(m); }).find("expected 3"), std::string::npos);
    }
    {
        Model m = everyOpModel(1);
        std::get<Conv>(m.nodes[0].op).kernelH = 17;
        EXPECT_NE(modelErrorOf([&] { validate(m); }).find("kernel height is 17"), std::string::npos);
    }
    {
        Model m = everyOpModel(1);
        m.styles.clear();
        EXPECT_NE(modelErrorOf([&] { validate(m); }).find("no style"), std::string::npos);
    }
    {
        Model m = everyOpModel(1);
        std::get<Clamp>(m.nodes.back().op).lo = 300.f;
        EXPECT_NE(modelErrorOf([&] { validate(m); }).find("'clamp'"), std::string::npos);
    }
}

TEST(Model, ValidateRejectsNonFiniteWeightsNamingTheTensor)
{
    {
        Model m = everyOpModel(2);
        std::get<Conv>(m.nodes[0].op).weights[7] = std::nanf("");
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("'c1'"), std::string::npos) << e;
        EXPECT_NE(e.find("weight value 7 of 108 is NaN"), std::string::npos) << e;
    }
    for (std::size_t i = 0; i < everyOpModel(2).nodes.size(); ++i) {
        Model m = everyOpModel(2);
        auto* norm = std::get_if<InstanceNorm>(&m.nodes[i].op);
        if (!norm)
            continue;
        norm->scale[1][0] = INFINITY;
        const std::string e = modelErrorOf([&] { validate(m); });
        EXPECT_NE(e.find("scale of style " + m.styles[1].name + " value 0"), std::string::npos) << e;
        EXPECT_NE(e.find("is infinite"), std::string::npos) << e;
        break;
    }
}

TEST(Model, InferShapesRejectsInputsTooSmall)
{
    const Model m = everyOpModel(1);
    const std::string e = modelErrorOf([&] { inferShapes(m, 1, 8); });
    EXPECT_NE(e.find("'c1'"), std::string::npos) << e;  // reflection pad 1 needs 2 rows
    EXPECT_NE(e.find("too small"), std::string::npos) << e;
    EXPECT_NE(modelErrorOf([&] { inferShapes(m, 0, 8); }).find("not supported"), std::string::npos);
    // Odd sizes break the residual Add of this model.
    EXPECT_NE(modelErrorOf([&] { inferShapes(m, 9, 8); }).find("different sizes"), std::string::npos);
}

}  // namespace
}  // namespace stylize::test
