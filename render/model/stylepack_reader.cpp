// Reads a style pack, checking every header field, JSON field and byte range before use.
#include <climits>
#include <cmath>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "model/file_bytes.h"
#include "model/crc32.h"
#include "model/loaders.h"
#include "model/model_limits.h"
#include "model/stylepack_format.h"

namespace stylize::model {

namespace {

using json = nlohmann::json;
using namespace stylepack;

// Walks the JSON description; every error names the file and the field's path.
class StylePackReader {
public:
    StylePackReader(const std::string& file, std::span<const std::uint8_t> data) : file_(file), data_(data) {}

    Model read(const json& doc)
    {
        requireObject(doc, "the JSON header");
        readTensorTable(field(doc, "tensors", ""));
        Model model;
        model.origin = file_;
        model.name = string(doc, "name", "");
        readMapping(field(doc, "mapping", ""), model.mapping);
        const json& styles = array(doc, "styles", "", limits::kMaxStyles);
        for (std::size_t i = 0; i < styles.size(); ++i)
            model.styles.push_back(readStyle(styles[i], "styles[" + std::to_string(i) + "]"));
        const json& graph = field(doc, "graph", "");
        requireObject(graph, "graph");
        const json& nodes = array(graph, "nodes", "graph", limits::kMaxNodes);
        for (std::size_t i = 0; i < nodes.size(); ++i)
            model.nodes.push_back(readNode(nodes[i], "graph.nodes[" + std::to_string(i) + "]"));
        model.output = integer(graph, "output", "graph");
        return model;
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& what) const
    {
        throw ModelError(file_ + ": " + (path.empty() ? "" : path + ": ") + what);
    }

    static std::string join(const std::string& parent, const std::string& key)
    {
        return parent.empty() ? key : parent + "." + key;
    }

    void requireObject(const json& j, const std::string& path) const
    {
        if (!j.is_object())
            fail(path, "expected a JSON object");
    }

    const json& field(const json& obj, const char* key, const std::string& parent) const
    {
        const auto it = obj.find(key);
        if (it == obj.end())
            fail(join(parent, key), "is missing");
        return *it;
    }

    const json& array(const json& obj, const char* key, const std::string& parent, std::size_t maxSize) const
    {
        const json& a = field(obj, key, parent);
        if (!a.is_array())
            fail(join(parent, key), "expected a list");
        if (a.size() > maxSize)
            fail(join(parent, key),
                 "has " + std::to_string(a.size()) + " entries, more than " + std::to_string(maxSize));
        return a;
    }

    std::string string(const json& obj, const char* key, const std::string& parent) const
    {
        const json& s = field(obj, key, parent);
        if (!s.is_string())
            fail(join(parent, key), "expected a string");
        return s.get<std::string>();
    }

    std::int64_t bigInteger(const json& j, const std::string& path) const
    {
        if (j.is_number_unsigned() && j.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
            fail(path, "is too large");
        if (!j.is_number_integer())
            fail(path, "expected an integer");
        return j.get<std::int64_t>();
    }

    int integer(const json& j, const std::string& path) const
    {
        const std::int64_t v = bigInteger(j, path);
        if (v < INT_MIN || v > INT_MAX)
            fail(path, "is out of range");
        return int(v);
    }

    int integer(const json& obj, const char* key, const std::string& parent) const
    {
        return integer(field(obj, key, parent), join(parent, key));
    }

    float number(const json& obj, const char* key, const std::string& parent) const
    {
        const json& n = field(obj, key, parent);
        if (!n.is_number())
            fail(join(parent, key), "expected a number");
        return toFloat(n, join(parent, key));
    }

    // Out-of-range doubles would be undefined behaviour to narrow.
    float toFloat(const json& n, const std::string& path) const
    {
        const double d = n.get<double>();
        if (!(std::fabs(d) <= double(std::numeric_limits<float>::max())))
            fail(path, "is not a number a float can hold");
        return float(d);
    }

    bool boolean(const json& obj, const char* key, const std::string& parent) const
    {
        const json& b = field(obj, key, parent);
        if (!b.is_boolean())
            fail(join(parent, key), "expected true or false");
        return b.get<bool>();
    }

    void readTensorTable(const json& table)
    {
        if (!table.is_array())
            fail("tensors", "expected a list");
        if (table.size() > std::size_t(limits::kMaxNodes) * 4)
            fail("tensors", "has more entries than a model may have");
        for (std::size_t i = 0; i < table.size(); ++i) {
            const std::string path = "tensors[" + std::to_string(i) + "]";
            requireObject(table[i], path);
            const std::int64_t offset = bigInteger(field(table[i], "offset", path), path + ".offset");
            const std::int64_t count = bigInteger(field(table[i], "count", path), path + ".count");
            if (offset < 0 || std::uint64_t(offset) % kAlignment != 0)
                fail(path + ".offset", "must be a multiple of 16 bytes");
            if (count < 0 || count > limits::kMaxTensorBytes / 4)
                fail(path + ".count", "is " + std::to_string(count) + "; a tensor may hold at most 1 GiB of floats");
            if (std::uint64_t(offset) > data_.size() || std::uint64_t(count) * 4 > data_.size() - std::uint64_t(offset))
                fail(path, "its bytes " + std::to_string(offset) + " + " + std::to_string(count * 4) +
                               " lie outside the data section of " + std::to_string(data_.size()) +
                               " bytes; the file is truncated or damaged");
            tensors_.push_back({std::uint64_t(offset), std::uint64_t(count)});
        }
    }

    // Each tensor is referenced once, so decoding never costs more than the file's size.
    std::vector<float> tensor(const json& ref, const std::string& path, std::size_t expected)
    {
        const int index = integer(ref, path);
        if (index < 0 || std::size_t(index) >= tensors_.size())
            fail(path, "refers to tensor " + std::to_string(index) + ", expected 0 to " +
                           std::to_string(int(tensors_.size()) - 1));
        if (!used_.insert(index).second)
            fail(path, "refers to tensor " + std::to_string(index) + ", which another field uses");
        const TensorRange& t = tensors_[std::size_t(index)];
        if (t.count != expected)
            fail(path, "tensor " + std::to_string(index) + " holds " + std::to_string(t.count) + " values, expected " +
                           std::to_string(expected));
        return floatsFromLittleEndian(data_.subspan(t.offset, t.count * 4));
    }

    std::vector<float> optionalTensor(const json& obj, const char* key, const std::string& parent, std::size_t expected)
    {
        const json& ref = field(obj, key, parent);
        if (ref.is_null())
            return {};
        return tensor(ref, join(parent, key), expected);
    }

    void readMapping(const json& j, ImageMapping& m) const
    {
        requireObject(j, "mapping");
        auto three = [&](const char* key, float(&out)[3]) {
            const json& a = array(j, key, "mapping", 3);
            if (a.size() != 3)
                fail(join("mapping", key), "expected 3 numbers (R, G, B)");
            for (int c = 0; c < 3; ++c) {
                if (!a[c].is_number())
                    fail(join("mapping", key), "expected 3 numbers (R, G, B)");
                out[c] = toFloat(a[c], join("mapping", key));
            }
        };
        three("inScale", m.inScale);
        three("inBias", m.inBias);
        three("outScale", m.outScale);
        three("outBias", m.outBias);
    }

    StyleInfo readStyle(const json& j, const std::string& path) const
    {
        requireObject(j, path);
        StyleInfo s;
        s.name = string(j, "name", path);
        s.title = string(j, "title", path);
        s.artist = string(j, "artist", path);
        s.year = string(j, "year", path);
        s.source = string(j, "source", path);
        s.license = string(j, "license", path);
        const json& thumb = field(j, "thumbnail", path);
        if (thumb.is_null())
            return s;
        const std::string tp = path + ".thumbnail";
        requireObject(thumb, tp);
        const std::int64_t offset = bigInteger(field(thumb, "offset", tp), tp + ".offset");
        const std::int64_t size = bigInteger(field(thumb, "size", tp), tp + ".size");
        if (size < 0 || std::uint64_t(size) > kMaxThumbnailBytes)
            fail(tp + ".size", "must be 0 to 16 MiB");
        if (offset < 0 || std::uint64_t(offset) > data_.size() ||
            std::uint64_t(size) > data_.size() - std::uint64_t(offset))
            fail(tp, "lies outside the data section; the file is truncated or damaged");
        const auto bytes = data_.subspan(std::size_t(offset), std::size_t(size));
        s.thumbnail.assign(bytes.begin(), bytes.end());
        return s;
    }

    // Sizes of weight tensors follow from the node's own parameters; the product is
    // checked before any copy so absurd parameters fail here, not in an allocation.
    std::size_t product(std::initializer_list<int> dims, const std::string& path) const
    {
        std::uint64_t n = 1;
        for (int d : dims) {
            if (d < 1 || d > limits::kMaxChannels)
                fail(path,
                     "has a size of " + std::to_string(d) + ", expected 1 to " + std::to_string(limits::kMaxChannels));
            n *= std::uint64_t(d);
        }
        return std::size_t(n);
    }

    void kernel(const json& j, const std::string& path, int& h, int& w) const
    {
        const json& k = array(j, "kernel", path, 2);
        if (k.size() != 2)
            fail(path + ".kernel", "expected [height, width]");
        h = integer(k[0], path + ".kernel[0]");
        w = integer(k[1], path + ".kernel[1]");
        if (h < 1 || w < 1 || h > limits::kMaxKernel || w > limits::kMaxKernel)
            fail(path + ".kernel", "must be 1 to " + std::to_string(limits::kMaxKernel));
    }

    Op readOp(const json& j, const std::string& type, const std::string& path)
    {
        if (type == "Conv") {
            Conv c;
            c.inChannels = integer(j, "inChannels", path);
            c.outChannels = integer(j, "outChannels", path);
            kernel(j, path, c.kernelH, c.kernelW);
            c.stride = integer(j, "stride", path);
            c.upsample2x = boolean(j, "upsample2x", path);
            const json& p = field(j, "padding", path);
            const std::string pp = path + ".padding";
            requireObject(p, pp);
            const std::string rule = string(p, "rule", pp), mode = string(p, "mode", pp);
            if (rule != "explicit" && rule != "tfSame")
                fail(pp + ".rule", "expected explicit or tfSame");
            if (mode != "zero" && mode != "reflect")
                fail(pp + ".mode", "expected zero or reflect");
            c.padding.rule = rule == "tfSame" ? Padding::Rule::TfSame : Padding::Rule::Explicit;
            c.padding.mode = mode == "reflect" ? PadMode::Reflect : PadMode::Zero;
            c.padding.top = integer(p, "top", pp);
            c.padding.bottom = integer(p, "bottom", pp);
            c.padding.left = integer(p, "left", pp);
            c.padding.right = integer(p, "right", pp);
            const std::size_t n = product({c.outChannels, c.inChannels, c.kernelH, c.kernelW}, path);
            c.weights = tensor(field(j, "weights", path), path + ".weights", n);
            c.bias = optionalTensor(j, "bias", path, std::size_t(c.outChannels));
            return c;
        }
        if (type == "ConvTranspose") {
            ConvTranspose c;
            c.inChannels = integer(j, "inChannels", path);
            c.outChannels = integer(j, "outChannels", path);
            kernel(j, path, c.kernelH, c.kernelW);
            c.stride = integer(j, "stride", path);
            const json& pads = array(j, "pads", path, 4);
            if (pads.size() != 4)
                fail(path + ".pads", "expected [top, bottom, left, right]");
            c.padTop = integer(pads[0], path + ".pads[0]");
            c.padBottom = integer(pads[1], path + ".pads[1]");
            c.padLeft = integer(pads[2], path + ".pads[2]");
            c.padRight = integer(pads[3], path + ".pads[3]");
            const std::size_t n = product({c.inChannels, c.outChannels, c.kernelH, c.kernelW}, path);
            c.weights = tensor(field(j, "weights", path), path + ".weights", n);
            c.bias = optionalTensor(j, "bias", path, std::size_t(c.outChannels));
            return c;
        }
        if (type == "InstanceNorm") {
            InstanceNorm n;
            n.channels = integer(j, "channels", path);
            const std::size_t count = product({n.channels}, path + ".channels");
            n.epsilon = number(j, "epsilon", path);
            const json& scale = array(j, "scale", path, limits::kMaxStyles);
            const json& shift = array(j, "shift", path, limits::kMaxStyles);
            for (std::size_t s = 0; s < scale.size(); ++s)
                n.scale.push_back(tensor(scale[s], path + ".scale[" + std::to_string(s) + "]", count));
            for (std::size_t s = 0; s < shift.size(); ++s)
                n.shift.push_back(tensor(shift[s], path + ".shift[" + std::to_string(s) + "]", count));
            return n;
        }
        if (type == "Affine")
            return Affine{number(j, "scale", path), number(j, "bias", path)};
        if (type == "Clamp")
            return Clamp{number(j, "lo", path), number(j, "hi", path)};
        if (type == "Upsample2x")
            return Upsample2x{};
        if (type == "Relu")
            return Relu{};
        if (type == "Add")
            return Add{};
        if (type == "Tanh")
            return Tanh{};
        if (type == "Sigmoid")
            return Sigmoid{};
        fail(path + ".op", "'" + type + "' is not an op this version of Stylize knows");
    }

    Node readNode(const json& j, const std::string& path)
    {
        requireObject(j, path);
        Node node;
        node.name = string(j, "name", path);
        node.op = readOp(j, string(j, "op", path), path);
        const json& inputs = array(j, "inputs", path, 2);
        for (std::size_t i = 0; i < inputs.size(); ++i)
            node.inputs.push_back(integer(inputs[i], path + ".inputs[" + std::to_string(i) + "]"));
        node.output = integer(j, "output", path);
        return node;
    }

    struct TensorRange {
        std::uint64_t offset = 0, count = 0;
    };

    std::string file_;
    std::span<const std::uint8_t> data_;
    std::vector<TensorRange> tensors_;
    std::set<int> used_;
};

}  // namespace

Model loadStylePack(const std::filesystem::path& file)
{
    const std::string name = displayPath(file);
    const std::vector<std::uint8_t> bytes = readFileBytes(file, limits::kMaxFileBytes);
    if (bytes.size() < kHeaderSize || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin()))
        throw ModelError(name +
                         ": is not a Stylize style pack (its first bytes are not the "
                         "STYLEPACK signature)");
    const Header h = decodeHeader(bytes);
    if (h.version != kVersion)
        throw ModelError(name + ": is a version " + std::to_string(h.version) +
                         " style pack; this Stylize reads version " + std::to_string(kVersion) +
                         ", update Stylize to open it");
    const std::uint64_t size = bytes.size();
    if (h.jsonOffset < kHeaderSize || h.jsonSize > kMaxJsonBytes || h.jsonOffset > size ||
        h.jsonSize > size - h.jsonOffset)
        throw ModelError(name + ": header field jsonOffset/jsonSize (" + std::to_string(h.jsonOffset) + ", " +
                         std::to_string(h.jsonSize) + ") lies outside the file of " + std::to_string(size) +
                         " bytes; the file is truncated or damaged");
    if (h.dataOffset % kAlignment != 0 || h.dataOffset < h.jsonOffset + h.jsonSize || h.dataOffset > size ||
        h.dataSize != size - h.dataOffset)
        throw ModelError(name + ": header field dataOffset/dataSize (" + std::to_string(h.dataOffset) + ", " +
                         std::to_string(h.dataSize) + ") does not match the file of " + std::to_string(size) +
                         " bytes; the file is truncated or damaged");
    json doc;
    try {
        const auto* text = bytes.data() + h.jsonOffset;
        doc = json::parse(text, text + h.jsonSize);
    } catch (const json::exception& e) {
        throw ModelError(name + ": the JSON header is invalid (" + e.what() + ")");
    }
    const std::span<const std::uint8_t> data(bytes.data() + h.dataOffset, std::size_t(h.dataSize));
    // dataCrc32 (written since packs carry one; older packs have none): a flipped byte in
    // the weights would otherwise render wrong without a word.
    if (const auto crc = doc.find("dataCrc32"); crc != doc.end()) {
        if (!crc->is_number_unsigned() || crc->get<std::uint64_t>() > 0xFFFFFFFFu)
            throw ModelError(name + ": dataCrc32: expected an unsigned 32-bit number");
        const std::uint32_t actual = crc32(data);
        if (actual != crc->get<std::uint32_t>())
            throw ModelError(name + ": the data section is damaged (its CRC-32 is " + std::to_string(actual) +
                             ", the header says " + std::to_string(crc->get<std::uint32_t>()) +
                             "); download or copy the pack again");
    }
    Model model = StylePackReader(name, data).read(doc);
    try {
        validate(model);
    } catch (const ModelError& e) {
        throw ModelError(name + ": " + e.what());
    }
    return model;
}

}  // namespace stylize::model
