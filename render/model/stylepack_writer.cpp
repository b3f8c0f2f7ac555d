// Writes a Model as a style pack: header, JSON description, aligned float32 data.
#include <nlohmann/json.hpp>

#include "model/file_bytes.h"
#include "model/crc32.h"
#include "model/loaders.h"
#include "model/stylepack_format.h"

namespace stylize::model {

namespace {

using json = nlohmann::json;
using namespace stylepack;

template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};

// Lays out the data section while the JSON is built: each tensor and thumbnail starts
// on a 16-byte boundary so a reader can map floats straight from the file.
class DataSection {
public:
    int addTensor(const std::vector<float>& values)
    {
        align();
        tensors_.push_back({{"offset", bytes_.size()}, {"count", values.size()}});
        appendLittleEndian(bytes_, values);
        return int(tensors_.size() - 1);
    }

    json addBytes(const std::vector<std::uint8_t>& blob)
    {
        align();
        json range = {{"offset", bytes_.size()}, {"size", blob.size()}};
        bytes_.insert(bytes_.end(), blob.begin(), blob.end());
        return range;
    }

    const json& tensorTable() const { return tensors_; }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
    void align() { bytes_.resize(alignUp(bytes_.size()), 0); }

    std::vector<std::uint8_t> bytes_;
    json tensors_ = json::array();
};

const char* padModeName(PadMode mode)
{
    return mode == PadMode::Reflect ? "reflect" : "zero";
}

json opParameters(const Op& op, DataSection& data)
{
    return std::visit(Overloaded{
                          [&](const Conv& c) {
                              const Padding& p = c.padding;
                              json j = {{"inChannels", c.inChannels},
                                        {"outChannels", c.outChannels},
                                        {"kernel", {c.kernelH, c.kernelW}},
                                        {"stride", c.stride},
                                        {"padding",
                                         {{"rule", p.rule == Padding::Rule::TfSame ? "tfSame" : "explicit"},
                                          {"mode", padModeName(p.mode)},
                                          {"top", p.top},
                                          {"bottom", p.bottom},
                                          {"left", p.left},
                                          {"right", p.right}}},
                                        {"upsample2x", c.upsample2x}};
                              j["weights"] = data.addTensor(c.weights);
                              j["bias"] = c.bias.empty() ? json(nullptr) : json(data.addTensor(c.bias));
                              return j;
                          },
                          [&](const ConvTranspose& c) {
                              json j = {{"inChannels", c.inChannels},
                                        {"outChannels", c.outChannels},
                                        {"kernel", {c.kernelH, c.kernelW}},
                                        {"stride", c.stride},
                                        {"pads", {c.padTop, c.padBottom, c.padLeft, c.padRight}}};
                              j["weights"] = data.addTensor(c.weights);
                              j["bias"] = c.bias.empty() ? json(nullptr) : json(data.addTensor(c.bias));
                              return j;
                          },
                          [&](const InstanceNorm& n) {
                              json j = {{"channels", n.channels}, {"epsilon", n.epsilon}};
                              json scale = json::array(), shift = json::array();
                              for (const auto& s : n.scale)
                                  scale.push_back(data.addTensor(s));
                              for (const auto& s : n.shift)
                                  shift.push_back(data.addTensor(s));
                              j["scale"] = scale;
                              j["shift"] = shift;
                              return j;
                          },
                          [&](const Affine& a) {
                              return json{{"scale", a.scale}, {"bias", a.bias}};
                          },
                          [&](const Clamp& c) {
                              return json{{"lo", c.lo}, {"hi", c.hi}};
                          },
                          [&](const auto&) { return json::object(); },
                      },
                      op);
}

json floats3(const float (&v)[3])
{
    return json::array({v[0], v[1], v[2]});
}

}  // namespace

void saveStylePack(const Model& model, const std::filesystem::path& file)
{
    try {
        validate(model);
    } catch (const ModelError& e) {
        throw ModelError(displayPath(file) + ": cannot save an invalid model: " + e.what());
    }
    DataSection data;
    json nodes = json::array();
    for (const Node& node : model.nodes) {
        json j = opParameters(node.op, data);
        j["name"] = node.name;
        j["op"] = opName(node.op);
        j["inputs"] = node.inputs;
        j["output"] = node.output;
        nodes.push_back(std::move(j));
    }
    json styles = json::array();
    for (const StyleInfo& s : model.styles) {
        styles.push_back({{"name", s.name},
                          {"title", s.title},
                          {"artist", s.artist},
                          {"year", s.year},
                          {"source", s.source},
                          {"license", s.license},
                          {"thumbnail", s.thumbnail.empty() ? json(nullptr) : data.addBytes(s.thumbnail)}});
    }
    const ImageMapping& m = model.mapping;
    const json doc = {
        {"name", model.name},
        {"mapping",
         {{"inScale", floats3(m.inScale)},
          {"inBias", floats3(m.inBias)},
          {"outScale", floats3(m.outScale)},
          {"outBias", floats3(m.outBias)}}},
        {"styles", styles},
        {"graph", {{"nodes", nodes}, {"output", model.output}}},
        {"tensors", data.tensorTable()},
        {"dataCrc32", crc32(data.bytes())},
    };
    // Invalid UTF-8 in names is replaced rather than failing the save.
    const std::string text = doc.dump(1, ' ', false, json::error_handler_t::replace);

    Header header;
    header.jsonSize = text.size();
    header.dataOffset = alignUp(kHeaderSize + text.size());
    header.dataSize = data.bytes().size();
    std::vector<std::uint8_t> out(header.dataOffset, 0);
    const auto head = encodeHeader(header);
    std::copy(head.begin(), head.end(), out.begin());
    std::copy(text.begin(), text.end(), out.begin() + kHeaderSize);
    out.insert(out.end(), data.bytes().begin(), data.bytes().end());
    writeFileBytes(file, out);
}

}  // namespace stylize::model
