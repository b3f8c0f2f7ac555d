// Tests of the ONNX loader on the committed torch exports (tools/models/README.md) and
// on damaged copies of them.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "model/loaders.h"
#include "model_test_util.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using namespace stylize::model;
namespace fs = std::filesystem;

fs::path onnxFile(const char* name)
{
    return dataDir() / "model" / name;
}

template <class T>
int countOf(const Model& m)
{
    int n = 0;
    for (const Node& node : m.nodes)
        n += std::holds_alternative<T>(node.op);
    return n;
}

onnx::ModelProto parse(const fs::path& file)
{
    onnx::ModelProto proto;
    const auto bytes = readBytes(file);
    EXPECT_TRUE(proto.ParseFromArray(bytes.data(), int(bytes.size())));
    return proto;
}

void save(const onnx::ModelProto& proto, const fs::path& file)
{
    const std::string s = proto.SerializeAsString();
    writeBytes(file, {s.begin(), s.end()});
}

onnx::TensorProto* initializer(onnx::ModelProto& proto, const std::string& name)
{
    for (auto& t : *proto.mutable_graph()->mutable_initializer())
        if (t.name() == name)
            return &t;
    ADD_FAILURE() << "no initializer " << name;
    return nullptr;
}

TEST(OnnxLoader, TransformerNetStructure)
{
    const Model m = loadOnnx(onnxFile("transformer_small.onnx"));
    EXPECT_EQ(m.name, "transformer_small");
    ASSERT_EQ(m.styleCount(), 1);
    EXPECT_EQ(countOf<Conv>(m), 10);
    EXPECT_EQ(countOf<InstanceNorm>(m), 9);
    EXPECT_EQ(countOf<Relu>(m), 7);
    EXPECT_EQ(countOf<Add>(m), 2);
    EXPECT_EQ(m.nodes.size(), 28u);  // pads, resizes and shape arithmetic are folded away
    int upsampled = 0;
    for (const Node& node : m.nodes) {
        if (const auto* c = std::get_if<Conv>(&node.op)) {
            EXPECT_EQ(c->padding.mode, PadMode::Reflect) << node.name;
            EXPECT_EQ(c->padding.top, c->kernelH / 2) << node.name;
            EXPECT_EQ(c->padding.right, c->kernelW / 2) << node.name;
            EXPECT_EQ(c->bias.size(), std::size_t(c->outChannels)) << node.name;
            upsampled += c->upsample2x;
        }
        if (const auto* n = std::get_if<InstanceNorm>(&node.op)) {
            EXPECT_FLOAT_EQ(n->epsilon, 1e-5f);
            EXPECT_NE(n->scale[0][0], 1.f) << "random affine parameters expected";
        }
    }
    EXPECT_EQ(upsampled, 2);
    EXPECT_EQ(std::get<Conv>(m.nodes[0].op).kernelH, 9);
    EXPECT_EQ(inferShapes(m, 64, 64)[m.output], (Shape{3, 64, 64}));
    EXPECT_EQ(inferShapes(m, 474, 712)[m.output], (Shape{3, 476, 712}));
}

TEST(OnnxLoader, Opset9AndDefaultOpsetGiveTheSameModel)
{
    const Model a = loadOnnx(onnxFile("transformer_small_opset9.onnx"));
    const Model b = loadOnnx(onnxFile("transformer_small.onnx"));
    expectSameNetwork(a, b);
}

TEST(OnnxLoader, DefaultNormParametersSharedThroughIdentity)
{
    const Model m = loadOnnx(onnxFile("transformer_small_default_norm.onnx"));
    EXPECT_EQ(countOf<InstanceNorm>(m), 9);
    for (const Node& node : m.nodes)
        if (const auto* n = std::get_if<InstanceNorm>(&node.op)) {
            EXPECT_EQ(n->scale[0], std::vector<float>(std::size_t(n->channels), 1.f)) << node.name;
            EXPECT_EQ(n->shift[0], std::vector<float>(std::size_t(n->channels), 0.f)) << node.name;
        }
    // Same convolutions as the export with random norms (same seed draws convs first).
    const Model r = loadOnnx(onnxFile("transformer_small.onnx"));
    EXPECT_EQ(std::get<Conv>(m.nodes[0].op).weights, std::get<Conv>(r.nodes[0].op).weights);
}

TEST(OnnxLoader, ScalarArithmeticClipAndConvTranspose)
{
    for (const char* file : {"ops.onnx", "ops_opset9.onnx"}) {
        SCOPED_TRACE(file);
        const Model m = loadOnnx(onnxFile(file));
        ASSERT_EQ(m.nodes.size(), 13u);
        const auto& div = std::get<Affine>(m.nodes[0].op);
        EXPECT_FLOAT_EQ(div.scale, 1.f / 255.f);
        EXPECT_EQ(div.bias, 0.f);
        EXPECT_FLOAT_EQ(std::get<Affine>(m.nodes[1].op).scale, 2.f);
        EXPECT_FLOAT_EQ(std::get<Affine>(m.nodes[2].op).bias, -1.f);
        const auto& c = std::get<Conv>(m.nodes[3].op);
        EXPECT_EQ(c.stride, 2);
        EXPECT_EQ(c.padding.mode, PadMode::Zero);
        EXPECT_EQ(c.padding.left, 1);
        EXPECT_TRUE(std::holds_alternative<InstanceNorm>(m.nodes[4].op));
        EXPECT_TRUE(std::holds_alternative<Relu>(m.nodes[5].op));
        const auto& t = std::get<ConvTranspose>(m.nodes[6].op);
        EXPECT_EQ(t.stride, 2);
        EXPECT_EQ(t.padTop, 1);
        EXPECT_EQ(t.padBottom, 0);  // pads 1 minus output_padding 1
        EXPECT_TRUE(std::holds_alternative<Sigmoid>(m.nodes[7].op));
        const auto& c2 = std::get<Conv>(m.nodes[8].op);
        EXPECT_EQ(c2.padding.top, 1);  // the ZeroPad2d before it
        EXPECT_EQ(c2.padding.mode, PadMode::Zero);
        EXPECT_TRUE(std::holds_alternative<Tanh>(m.nodes[9].op));
        EXPECT_FLOAT_EQ(std::get<Affine>(m.nodes[10].op).bias, 1.f);
        EXPECT_FLOAT_EQ(std::get<Affine>(m.nodes[11].op).scale, 127.5f);
        const auto& clamp = std::get<Clamp>(m.nodes[12].op);
        EXPECT_EQ(clamp.lo, 0.f);
        EXPECT_EQ(clamp.hi, 255.f);
        EXPECT_EQ(inferShapes(m, 64, 48)[m.output], (Shape{3, 64, 48}));
    }
    expectSameNetwork(loadOnnx(onnxFile("ops.onnx")), loadOnnx(onnxFile("ops_opset9.onnx")));
}

TEST(OnnxLoader, Opset8UpsampleWithScalesAttribute)
{
    // torch no longer exports opset 8; rewrite the opset 9 file into that form (the
    // model zoo's *-8.onnx files): scales as an attribute instead of an input.
    TempDir tmp;
    onnx::ModelProto proto = parse(onnxFile("transformer_small_opset9.onnx"));
    int rewritten = 0;
    for (auto& node : *proto.mutable_graph()->mutable_node()) {
        if (node.op_type() != "Upsample")
            continue;
        node.mutable_input()->RemoveLast();
        onnx::AttributeProto* scales = node.add_attribute();
        scales->set_name("scales");
        scales->set_type(onnx::AttributeProto_AttributeType_FLOATS);
        for (float s : {1.f, 1.f, 2.f, 2.f})
            scales->add_floats(s);
        ++rewritten;
    }
    EXPECT_EQ(rewritten, 2);
    proto.mutable_opset_import(0)->set_version(8);
    save(proto, tmp / "opset8.onnx");
    expectSameNetwork(loadOnnx(onnxFile("transformer_small_opset9.onnx")), loadOnnx(tmp / "opset8.onnx"));
}

TEST(OnnxLoader, ShapeOfTheImageIsRejected)
{
    TempDir tmp;
    onnx::ModelProto proto = parse(onnxFile("ops.onnx"));
    onnx::NodeProto* shape = proto.mutable_graph()->add_node();
    shape->set_name("image_shape");
    shape->set_op_type("Shape");
    shape->add_input("input");
    shape->add_output("image_shape_out");
    save(proto, tmp / "shape.onnx");
    const std::string e = modelErrorOf([&] { loadOnnx(tmp / "shape.onnx"); });
    EXPECT_NE(e.find("node 'image_shape' (Shape): computes with the image's size"), std::string::npos) << e;
}

TEST(OnnxLoader, UnsupportedOpIsNamed)
{
    const std::string e = modelErrorOf([] { loadOnnx(onnxFile("unsupported_op.onnx")); });
    EXPECT_NE(e.find("unsupported_op.onnx"), std::string::npos) << e;
    EXPECT_NE(e.find("'LeakyRelu'"), std::string::npos) << e;
    EXPECT_NE(e.find("node '/LeakyRelu'"), std::string::npos) << e;
}

TEST(OnnxLoader, MissingCorruptAndTruncatedFiles)
{
    TempDir tmp;
    std::string e = modelErrorOf([&] { loadOnnx(tmp / "missing.onnx"); });
    EXPECT_NE(e.find("missing.onnx: no such file or folder"), std::string::npos) << e;
    e = modelErrorOf([&] { loadModel(tmp / "missing.onnx"); });
    EXPECT_NE(e.find("no such file or folder"), std::string::npos) << e;

    writeText(tmp / "garbage.onnx", "this is not a protobuf \xff\xff\xff\xff");
    e = modelErrorOf([&] { loadOnnx(tmp / "garbage.onnx"); });
    EXPECT_NE(e.find("garbage.onnx"), std::string::npos) << e;

    writeText(tmp / "empty.onnx", "");
    EXPECT_NE(modelErrorOf([&] { loadOnnx(tmp / "empty.onnx"); }).find("no graph"), std::string::npos);

    const auto bytes = readBytes(onnxFile("transformer_small.onnx"));
    for (std::size_t cut : {std::size_t(10), bytes.size() / 3, bytes.size() - 1}) {
        writeBytes(tmp / "cut.onnx", {bytes.begin(), bytes.begin() + std::ptrdiff_t(cut)});
        e = modelErrorOf([&] { loadOnnx(tmp / "cut.onnx"); });
        EXPECT_NE(e.find("cut.onnx"), std::string::npos) << e;
    }
}

TEST(OnnxLoader, WrongShapesNameTheNode)
{
    TempDir tmp;
    {
        onnx::ModelProto proto = parse(onnxFile("transformer_small.onnx"));
        onnx::TensorProto* scale = initializer(proto, "in2.weight");
        ASSERT_TRUE(scale);
        scale->set_dims(0, 15);
        scale->mutable_raw_data()->resize(15 * 4);
        save(proto, tmp / "norm.onnx");
        const std::string e = modelErrorOf([&] { loadOnnx(tmp / "norm.onnx"); });
        EXPECT_NE(e.find("/in2/InstanceNormalization"), std::string::npos) << e;
        EXPECT_NE(e.find("must both hold 16 floats"), std::string::npos) << e;
    }
    {
        onnx::ModelProto proto = parse(onnxFile("transformer_small.onnx"));
        onnx::TensorProto* w = initializer(proto, "conv2.conv2d.weight");
        ASSERT_TRUE(w);
        w->set_dims(0, 1000);  // the data no longer matches the dims
        save(proto, tmp / "dims.onnx");
        const std::string e = modelErrorOf([&] { loadOnnx(tmp / "dims.onnx"); });
        EXPECT_NE(e.find("conv2.conv2d.weight"), std::string::npos) << e;
        EXPECT_NE(e.find("damaged"), std::string::npos) << e;
    }
    {
        onnx::ModelProto proto = parse(onnxFile("transformer_small.onnx"));
        onnx::TensorProto* w = initializer(proto, "conv2.conv2d.weight");
        ASSERT_TRUE(w);
        w->set_dims(0, std::int64_t(1) << 40);
        save(proto, tmp / "absurd.onnx");
        const std::string e = modelErrorOf([&] { loadOnnx(tmp / "absurd.onnx"); });
        EXPECT_NE(e.find("conv2.conv2d.weight"), std::string::npos) << e;
        EXPECT_NE(e.find("limit"), std::string::npos) << e;
    }
    {
        // Channels that do not chain: conv3 reads 16 channels but its weights take 8.
        onnx::ModelProto proto = parse(onnxFile("transformer_small.onnx"));
        onnx::TensorProto* w = initializer(proto, "conv3.conv2d.weight");
        ASSERT_TRUE(w);
        w->set_dims(1, 8);
        w->mutable_raw_data()->resize(16 * 8 * 3 * 3 * 4);
        save(proto, tmp / "chain.onnx");
        const std::string e = modelErrorOf([&] { loadOnnx(tmp / "chain.onnx"); });
        EXPECT_NE(e.find("/conv3/conv2d/Conv"), std::string::npos) << e;
        EXPECT_NE(e.find("inChannels is 8, expected 16"), std::string::npos) << e;
    }
    {
        onnx::ModelProto proto = parse(onnxFile("transformer_small_opset9.onnx"));
        for (auto& node : *proto.mutable_graph()->mutable_node())
            if (node.op_type() == "Constant" && node.attribute(0).t().dims(0) == 4)
                (*node.mutable_attribute(0)->mutable_t()->mutable_raw_data())[15] = 0x41;  // 2 -> 8
        save(proto, tmp / "scale.onnx");
        const std::string e = modelErrorOf([&] { loadOnnx(tmp / "scale.onnx"); });
        EXPECT_NE(e.find("/deconv1/Upsample"), std::string::npos) << e;
        EXPECT_NE(e.find("nearest 2x"), std::string::npos) << e;
    }
}

}  // namespace
}  // namespace stylize::test
