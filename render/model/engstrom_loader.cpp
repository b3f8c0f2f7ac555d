// Loads Engstrom's fast-style-transfer checkpoints as republished by ml5.js
// (manifest.json plus one raw float32 file per TensorFlow variable).
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/file_bytes.h"
#include "model/loaders.h"
#include "model/model_limits.h"

namespace stylize::model {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr float kEpsilon = 1e-3f;  // Engstrom's instance norm
constexpr std::int64_t kMaxManifestBytes = 1 << 20;
constexpr int kMaxResidualBlocks = 64;

// Reads the variables named in manifest.json, checking each against the shape the
// architecture needs before touching the file.
class CheckpointReader {
public:
    explicit CheckpointReader(fs::path folder) : folder_(std::move(folder))
    {
        const fs::path path = folder_ / "manifest.json";
        std::error_code ec;
        if (!fs::exists(folder_, ec))
            throw ModelError(displayPath(folder_) + ": no such file or folder");
        if (!fs::exists(path, ec))
            throw ModelError(displayPath(folder_) + ": has no manifest.json, so it is not an Engstrom/ml5 checkpoint");
        const std::vector<std::uint8_t> bytes = readFileBytes(path, kMaxManifestBytes);
        try {
            manifest_ = json::parse(bytes.begin(), bytes.end());
        } catch (const json::exception& e) {
            throw ModelError(displayPath(path) + ": is not valid JSON (" + e.what() + ")");
        }
        if (!manifest_.is_object())
            throw ModelError(displayPath(path) + ": expected a JSON object of variables");
    }

    static std::string variableName(int index) { return index == 0 ? "Variable" : "Variable_" + std::to_string(index); }

    // How many of Variable, Variable_1, ... the manifest lists, in order.
    int variableCount() const
    {
        int n = 0;
        while (n < 10000 && manifest_.contains(variableName(n)))
            ++n;
        return n;
    }

    // The manifest's shape of a variable, checked to be a list of small positive ints.
    std::vector<int> shape(int index) const
    {
        const std::string name = variableName(index);
        const json& entry = manifest_.at(name);
        const json* dims = entry.is_object() && entry.contains("shape") ? &entry["shape"] : nullptr;
        if (!dims || !dims->is_array() || dims->size() > 4)
            throw ModelError(where(name) + "\"shape\" must be a list of at most 4 sizes");
        std::vector<int> result;
        for (const json& d : *dims) {
            if (!d.is_number_integer() || d.get<std::int64_t>() < 1 || d.get<std::int64_t>() > limits::kMaxChannels)
                throw ModelError(where(name) + "\"shape\" holds " +
                                 (d.is_number_integer() ? std::to_string(d.get<std::int64_t>())
                                                        : std::string("a value that is not a size")) +
                                 ", expected sizes from 1 to " + std::to_string(limits::kMaxChannels));
            result.push_back(d.get<int>());
        }
        return result;
    }

    std::vector<float> read(int index, const std::vector<int>& expected) const
    {
        const std::string name = variableName(index);
        if (!manifest_.contains(name))
            throw ModelError(where(name) + "missing; the checkpoint is incomplete");
        const std::vector<int> actual = shape(index);
        if (actual != expected)
            throw ModelError(where(name) + "\"shape\" is " + shapeText(actual) + ", expected " + shapeText(expected) +
                             "; this is not an Engstrom/ml5 checkpoint");
        const json& entry = manifest_.at(name);
        if (!entry.contains("filename") || !entry["filename"].is_string())
            throw ModelError(where(name) + "\"filename\" must be a string");
        const std::string file = entry["filename"].get<std::string>();
        // Only a plain file name inside the folder: a manifest must not point elsewhere.
        if (file.empty() || file == "." || file == ".." || file.find_first_of("/\\") != std::string::npos)
            throw ModelError(where(name) + "\"filename\" \"" + file + "\" must name a file inside the folder");
        const fs::path path = folder_ / file;
        std::int64_t count = 1;
        for (int d : expected)
            count *= d;
        const std::int64_t wantBytes = count * 4;
        std::error_code ec;
        const std::uintmax_t size = fs::file_size(path, ec);
        if (ec)
            throw ModelError(displayPath(path) + ": no such file; the checkpoint needs it for " + name);
        if (size != std::uintmax_t(wantBytes))
            throw ModelError(displayPath(path) + ": has " + std::to_string(size) + " bytes, expected " +
                             std::to_string(wantBytes) + " (" + shapeText(expected) +
                             " float32 values); the file is truncated or damaged, "
                             "download the checkpoint again");
        return floatsFromLittleEndian(readFileBytes(path, wantBytes));
    }

private:
    std::string where(const std::string& variable) const
    {
        return displayPath(folder_ / "manifest.json") + ": variable " + variable + ": ";
    }

    static std::string shapeText(const std::vector<int>& dims)
    {
        std::string s = "[";
        for (std::size_t i = 0; i < dims.size(); ++i)
            s += (i ? ", " : "") + std::to_string(dims[i]);
        return s + "]";
    }

    fs::path folder_;
    json manifest_;
};

// Appends the nodes of the architecture while reading variables in checkpoint order.
class EngstromBuilder {
public:
    EngstromBuilder(const CheckpointReader& reader, Model& model) : reader_(reader), model_(model) {}

    TensorId conv(TensorId in, int cin, int cout, int k, int stride, const std::string& name)
    {
        Conv c;
        c.inChannels = cin;
        c.outChannels = cout;
        c.kernelH = c.kernelW = k;
        c.stride = stride;
        c.padding.rule = Padding::Rule::TfSame;
        c.padding.mode = PadMode::Zero;
        // TensorFlow [kh][kw][in][out] -> OIHW.
        const std::vector<float> tf = reader_.read(next_++, {k, k, cin, cout});
        c.weights.resize(tf.size());
        for (int o = 0; o < cout; ++o)
            for (int i = 0; i < cin; ++i)
                for (int y = 0; y < k; ++y)
                    for (int x = 0; x < k; ++x)
                        c.weights[((std::size_t(o) * cin + i) * k + y) * k + x] =
                            tf[((std::size_t(y) * k + x) * cin + i) * cout + o];
        return norm(add(name, std::move(c), {in}), cout, name);
    }

    // Transposed conv whose output is exactly 2H x 2W (TensorFlow SAME).
    TensorId convTranspose(TensorId in, int cin, int cout, int k, const std::string& name)
    {
        ConvTranspose c;
        c.inChannels = cin;
        c.outChannels = cout;
        c.kernelH = c.kernelW = k;
        c.stride = 2;
        c.padTop = c.padLeft = (k - c.stride) / 2;
        c.padBottom = c.padRight = k - c.stride - c.padTop;
        // TensorFlow [kh][kw][out][in] -> IOHW.
        const std::vector<float> tf = reader_.read(next_++, {k, k, cout, cin});
        c.weights.resize(tf.size());
        for (int i = 0; i < cin; ++i)
            for (int o = 0; o < cout; ++o)
                for (int y = 0; y < k; ++y)
                    for (int x = 0; x < k; ++x)
                        c.weights[((std::size_t(i) * cout + o) * k + y) * k + x] =
                            tf[((std::size_t(y) * k + x) * cout + o) * cin + i];
        return norm(add(name, std::move(c), {in}), cout, name);
    }

    TensorId add(const std::string& name, Op op, std::vector<TensorId> inputs)
    {
        Node node;
        node.name = name;
        node.op = std::move(op);
        node.inputs = std::move(inputs);
        node.output = TensorId(model_.nodes.size() + 1);
        model_.nodes.push_back(std::move(node));
        return model_.nodes.back().output;
    }

private:
    // Instance norm from the two variables after each conv: shift (beta), then scale.
    TensorId norm(TensorId in, int channels, const std::string& convName)
    {
        InstanceNorm n;
        n.channels = channels;
        n.epsilon = kEpsilon;
        n.shift.push_back(reader_.read(next_++, {channels}));
        n.scale.push_back(reader_.read(next_++, {channels}));
        return add(convName + ".norm", std::move(n), {in});
    }

    const CheckpointReader& reader_;
    Model& model_;
    int next_ = 0;
};

}  // namespace

Model loadEngstromCheckpoint(const fs::path& folder)
{
    const CheckpointReader reader(folder);
    const int count = reader.variableCount();
    const std::string manifest = displayPath(folder / "manifest.json");
    if (count < 18 || (count - 18) % 6 != 0 || (count - 18) / 6 > kMaxResidualBlocks)
        throw ModelError(manifest + ": lists " + std::to_string(count) +
                         " variables Variable, Variable_1, ...; expected 18 plus 6 per "
                         "residual block (48 for Engstrom's networks)");
    const int blocks = (count - 18) / 6;
    // Widths come from the encoder convs; every other shape is then checked against them.
    auto width = [&](int index) {
        const std::vector<int> s = reader.shape(index);
        if (s.size() != 4)
            throw ModelError(manifest + ": variable " + CheckpointReader::variableName(index) +
                             ": expected a convolution weight of 4 dimensions");
        return s[3];
    };
    const int a = width(0), b = width(3), c = width(6);

    Model model;
    model.name = folder.filename().empty() ? folder.parent_path().filename().string() : folder.filename().string();
    model.origin = displayPath(folder);
    StyleInfo style;
    style.name = model.name;
    style.title = model.name;
    style.source = "Engstrom fast-style-transfer checkpoint (ml5.js): " + displayPath(folder);
    model.styles.push_back(std::move(style));

    EngstromBuilder net(reader, model);
    TensorId y = net.conv(kInputTensor, 3, a, 9, 1, "conv1");
    y = net.add("conv1.relu", Relu{}, {y});
    y = net.conv(y, a, b, 3, 2, "conv2");
    y = net.add("conv2.relu", Relu{}, {y});
    y = net.conv(y, b, c, 3, 2, "conv3");
    y = net.add("conv3.relu", Relu{}, {y});
    for (int r = 1; r <= blocks; ++r) {
        const std::string block = "res" + std::to_string(r);
        TensorId t = net.conv(y, c, c, 3, 1, block + ".conv1");
        t = net.add(block + ".relu", Relu{}, {t});
        t = net.conv(t, c, c, 3, 1, block + ".conv2");
        y = net.add(block + ".add", Add{}, {t, y});
    }
    y = net.convTranspose(y, c, b, 3, "deconv1");
    y = net.add("deconv1.relu", Relu{}, {y});
    y = net.convTranspose(y, b, a, 3, "deconv2");
    y = net.add("deconv2.relu", Relu{}, {y});
    y = net.conv(y, a, 3, 9, 1, "conv_out");
    y = net.add("tanh", Tanh{}, {y});
    // tanh(y) * 150 + 127.5; the image mapping clamps to 0..255.
    model.output = net.add("output_scale", Affine{150.f, 127.5f}, {y});

    try {
        validate(model);
    } catch (const ModelError& e) {
        throw ModelError(displayPath(folder) + ": " + e.what());
    }
    return model;
}

}  // namespace stylize::model
