// Tests of the style pack format: exact round trips and rejection of damaged packs.
#include <cstring>
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/crc32.h"
#include "model/loaders.h"
#include "model_test_util.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using namespace stylize::model;
namespace fs = std::filesystem;
using json = nlohmann::json;

std::uint64_t le64(const std::vector<std::uint8_t>& b, std::size_t at)
{
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v |= std::uint64_t(b[at + i]) << (8 * i);
    return v;
}

void putLe(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        b[at + i] = std::uint8_t(v >> (8 * i));
}

// A pack taken apart into its JSON and data section, to damage one field at a time.
struct RawPack {
    json doc;
    std::vector<std::uint8_t> data;
};

RawPack readRawPack(const fs::path& file)
{
    const auto b = readBytes(file);
    const std::uint64_t jsonOffset = le64(b, 16), jsonSize = le64(b, 24), dataOffset = le64(b, 32);
    RawPack p;
    p.doc = json::parse(b.begin() + std::ptrdiff_t(jsonOffset), b.begin() + std::ptrdiff_t(jsonOffset + jsonSize));
    p.data.assign(b.begin() + std::ptrdiff_t(dataOffset), b.end());
    return p;
}

void writeRawPack(const fs::path& file, const RawPack& p, std::uint32_t version = 1)
{
    const std::string text = p.doc.dump();
    const std::uint64_t dataOffset = (48 + text.size() + 15) / 16 * 16;
    std::vector<std::uint8_t> b(dataOffset, 0);
    std::memcpy(b.data(), "STYLEPACK\x1a\r\n", 12);
    putLe(b, 12, version, 4);
    putLe(b, 16, 48, 8);
    putLe(b, 24, text.size(), 8);
    putLe(b, 32, dataOffset, 8);
    putLe(b, 40, p.data.size(), 8);
    std::memcpy(b.data() + 48, text.data(), text.size());
    b.insert(b.end(), p.data.begin(), p.data.end());
    writeBytes(file, b);
}

class StylePackTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        pack_ = tmp_ / "every.stylepack";
        saveStylePack(everyOpModel(3), pack_);
    }

    // Applies `damage` to a copy of the pack and returns the load error.
    std::string errorAfter(const std::function<void(RawPack&)>& damage)
    {
        RawPack p = readRawPack(pack_);
        damage(p);
        const fs::path file = tmp_ / "damaged.stylepack";
        writeRawPack(file, p);
        return modelErrorOf([&] { loadStylePack(file); });
    }

    TempDir tmp_;
    fs::path pack_;
};

TEST_F(StylePackTest, RoundTripsEveryOpAndStyleSlotExactly)
{
    const Model original = everyOpModel(3);
    const Model loaded = loadStylePack(pack_);
    expectSameModel(original, loaded);
    EXPECT_EQ(loaded.origin, pack_.string());
    // Saving the loaded model again gives the same bytes.
    saveStylePack(loaded, tmp_ / "again.stylepack");
    EXPECT_EQ(readBytes(pack_), readBytes(tmp_ / "again.stylepack"));
    expectSameModel(original, loadModel(pack_));
}

TEST_F(StylePackTest, RoundTripsLoadedNetworks)
{
    const Model onnx = loadOnnx(dataDir() / "model" / "transformer_small.onnx");
    saveStylePack(onnx, tmp_ / "onnx.stylepack");
    expectSameModel(onnx, loadStylePack(tmp_ / "onnx.stylepack"));

    writeTinyCheckpoint(tmp_ / "ckpt", 4, 6, 8, 2);
    const Model engstrom = loadEngstromCheckpoint(tmp_ / "ckpt");
    saveStylePack(engstrom, tmp_ / "engstrom.stylepack");
    expectSameModel(engstrom, loadStylePack(tmp_ / "engstrom.stylepack"));
}

TEST_F(StylePackTest, DataIsAligned)
{
    const RawPack p = readRawPack(pack_);
    for (const json& t : p.doc["tensors"])
        EXPECT_EQ(t["offset"].get<std::uint64_t>() % 16, 0u);
    const auto b = readBytes(pack_);
    EXPECT_EQ(le64(b, 32) % 16, 0u);
}

TEST_F(StylePackTest, RejectsBadMagicVersionAndTruncation)
{
    auto bytes = readBytes(pack_);
    const fs::path f = tmp_ / "bad.stylepack";

    auto magic = bytes;
    magic[0] = 'X';
    writeBytes(f, magic);
    std::string e = modelErrorOf([&] { loadStylePack(f); });
    EXPECT_NE(e.find("bad.stylepack: is not a Stylize style pack"), std::string::npos) << e;

    auto version = bytes;
    version[12] = 2;
    writeBytes(f, version);
    e = modelErrorOf([&] { loadStylePack(f); });
    EXPECT_NE(e.find("version 2"), std::string::npos) << e;
    EXPECT_NE(e.find("update Stylize"), std::string::npos) << e;

    for (std::size_t cut : {std::size_t(0), std::size_t(20), std::size_t(100), bytes.size() - 1}) {
        writeBytes(f, {bytes.begin(), bytes.begin() + std::ptrdiff_t(cut)});
        e = modelErrorOf([&] { loadStylePack(f); });
        EXPECT_NE(e.find("bad.stylepack"), std::string::npos) << e;
    }
    writeBytes(f, {bytes.begin(), bytes.end() - 1});
    e = modelErrorOf([&] { loadStylePack(f); });
    EXPECT_NE(e.find("dataOffset/dataSize"), std::string::npos) << e;

    e = modelErrorOf([&] { loadStylePack(tmp_ / "none.stylepack"); });
    EXPECT_NE(e.find("none.stylepack: no such file or folder"), std::string::npos) << e;
}

TEST_F(StylePackTest, RejectsGarbageAndBadJson)
{
    const fs::path f = tmp_ / "garbage.stylepack";
    writeText(f, std::string(200, '\x07'));
    EXPECT_NE(modelErrorOf([&] { loadStylePack(f); }).find("not a Stylize style pack"), std::string::npos);

    RawPack p = readRawPack(pack_);
    writeRawPack(f, p);
    auto bytes = readBytes(f);
    bytes[48] = '[';  // the JSON's opening brace
    bytes[49] = '}';
    writeBytes(f, bytes);
    const std::string e = modelErrorOf([&] { loadStylePack(f); });
    EXPECT_NE(e.find("garbage.stylepack: the JSON header is invalid"), std::string::npos) << e;
}

TEST_F(StylePackTest, RejectsOffsetsOutOfRange)
{
    std::string e = errorAfter([](RawPack& p) { p.doc["tensors"][3]["offset"] = 1u << 30; });
    EXPECT_NE(e.find("tensors[3]"), std::string::npos) << e;
    EXPECT_NE(e.find("outside the data section"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["tensors"][0]["offset"] = 8; });
    EXPECT_NE(e.find("tensors[0].offset: must be a multiple of 16"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["styles"][0]["thumbnail"]["offset"] = 1u << 31; });
    EXPECT_NE(e.find("styles[0].thumbnail"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["weights"] = 999; });
    EXPECT_NE(e.find("graph.nodes[0].weights: refers to tensor 999"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["bias"] = 0; });
    EXPECT_NE(e.find("graph.nodes[0].bias"), std::string::npos) << e;
}

TEST_F(StylePackTest, RejectsSizesMismatching)
{
    std::string e = errorAfter([](RawPack& p) { p.doc["tensors"][0]["count"] = 100; });
    EXPECT_NE(e.find("graph.nodes[0].weights: tensor 0 holds 100 values, expected 108"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["outChannels"] = 5; });
    EXPECT_NE(e.find("graph.nodes[0].weights"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["styles"].erase(2); });
    EXPECT_NE(e.find("one per style"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["output"] = 4; });
    EXPECT_NE(e.find("expected 3 (RGB)"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["mapping"]["inScale"] = {1, 2}; });
    EXPECT_NE(e.find("mapping.inScale: expected 3 numbers"), std::string::npos) << e;
}

TEST_F(StylePackTest, RejectsNonFiniteWeightsNamingTheFileAndTensor)
{
    const std::string e = errorAfter([](RawPack& p) {
        const std::uint64_t at = p.doc["tensors"][0]["offset"].get<std::uint64_t>() + 4 * 5;
        const std::uint32_t nan = 0x7fc00000u;
        std::memcpy(p.data.data() + at, &nan, 4);
        p.doc["dataCrc32"] = crc32(p.data);  // a NaN the writer put there, not a damaged copy
    });
    EXPECT_NE(e.find("damaged.stylepack"), std::string::npos) << e;
    EXPECT_NE(e.find("weight value 5 of 108 is NaN"), std::string::npos) << e;
}

TEST_F(StylePackTest, AFlippedDataByteFailsTheChecksum)
{
    const std::string e = errorAfter([](RawPack& p) { p.data[40] ^= 0x04; });
    EXPECT_NE(e.find("damaged.stylepack: the data section is damaged"), std::string::npos) << e;

    // Packs written before the checksum load as before.
    RawPack old = readRawPack(pack_);
    old.doc.erase("dataCrc32");
    writeRawPack(tmp_ / "old.stylepack", old);
    expectSameModel(everyOpModel(3), loadStylePack(tmp_ / "old.stylepack"));

    const std::string bad = errorAfter([](RawPack& p) { p.doc["dataCrc32"] = "abc"; });
    EXPECT_NE(bad.find("dataCrc32: expected an unsigned 32-bit number"), std::string::npos) << bad;
}

TEST_F(StylePackTest, RejectsAbsurdSizes)
{
    std::string e = errorAfter([](RawPack& p) { p.doc["tensors"][0]["count"] = 1ull << 40; });
    EXPECT_NE(e.find("tensors[0].count"), std::string::npos) << e;
    EXPECT_NE(e.find("1 GiB"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["outChannels"] = 5000; });
    EXPECT_NE(e.find("graph.nodes[0]"), std::string::npos) << e;
    EXPECT_NE(e.find("5000"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["kernel"] = {17, 3}; });
    EXPECT_NE(e.find("graph.nodes[0].kernel: must be 1 to 15"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["stride"] = 1e30; });
    EXPECT_NE(e.find("graph.nodes[0].stride: expected an integer"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][10]["scale"] = 1e300; });
    EXPECT_NE(e.find("graph.nodes[10].scale"), std::string::npos) << e;

    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][0]["inputs"] = {0, 0, 0}; });
    EXPECT_NE(e.find("graph.nodes[0].inputs"), std::string::npos) << e;
}

TEST_F(StylePackTest, RejectsMissingAndMistypedFields)
{
    std::string e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][2].erase("op"); });
    EXPECT_NE(e.find("graph.nodes[2].op: is missing"), std::string::npos) << e;
    e = errorAfter([](RawPack& p) { p.doc["graph"]["nodes"][2]["op"] = "Softmax"; });
    EXPECT_NE(e.find("'Softmax' is not an op"), std::string::npos) << e;
    e = errorAfter([](RawPack& p) { p.doc["styles"][1]["name"] = 3; });
    EXPECT_NE(e.find("styles[1].name: expected a string"), std::string::npos) << e;
    e = errorAfter([](RawPack& p) { p.doc = json::array(); });
    EXPECT_NE(e.find("expected a JSON object"), std::string::npos) << e;
}

TEST(StylePackSave, RefusesInvalidModels)
{
    TempDir tmp;
    Model m = everyOpModel(1);
    m.output = 2;
    const std::string e = modelErrorOf([&] { saveStylePack(m, tmp / "x.stylepack"); });
    EXPECT_NE(e.find("cannot save an invalid model"), std::string::npos) << e;
    EXPECT_FALSE(fs::exists(tmp / "x.stylepack"));
    EXPECT_NE(
        modelErrorOf([&] { saveStylePack(everyOpModel(1), tmp / "no" / "x.stylepack"); }).find("cannot be written"),
        std::string::npos);
}

TEST(LoadModel, Dispatch)
{
    TempDir tmp;
    std::string e = modelErrorOf([&] { loadModel(tmp / "nothing"); });
    EXPECT_NE(e.find("nothing: no such file or folder"), std::string::npos) << e;
    writeText(tmp / "notes.txt", "hello");
    e = modelErrorOf([&] { loadModel(tmp / "notes.txt"); });
    EXPECT_NE(e.find("unknown file type"), std::string::npos) << e;
    e = modelErrorOf([&] { loadModel(tmp.path()); });
    EXPECT_NE(e.find("without manifest.json"), std::string::npos) << e;
    writeTinyCheckpoint(tmp / "ckpt", 4, 4, 4, 0);
    EXPECT_EQ(loadModel(tmp / "ckpt").name, "ckpt");
    EXPECT_EQ(loadModel(tmp / "ckpt" / "manifest.json").name, "ckpt");
    EXPECT_EQ(loadModel(dataDir() / "model" / "ops.onnx").nodes.size(), 13u);
}

}  // namespace
}  // namespace stylize::test
