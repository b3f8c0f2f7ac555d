// tflite::parse: a bounds-checked FlatBuffers walk over the fields of schema.fbs we use.
#include "model/tflite_file.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "model/model.h"

namespace stylize::model::tflite {
namespace {

// One table of the file: every read checks its offsets against the whole buffer.
class Table {
public:
    Table(std::span<const std::uint8_t> file, std::size_t pos, const std::string& name) : file_(file), name_(name)
    {
        pos_ = pos;
        const std::int32_t back = read<std::int32_t>(pos);
        const std::int64_t vt = std::int64_t(pos) - back;
        if (vt < 0 || std::size_t(vt) + 4 > file_.size())
            fail("a table's vtable lies outside the file");
        vtable_ = std::size_t(vt);
        vtableBytes_ = read<std::uint16_t>(vtable_);
        if (vtableBytes_ < 4 || vtable_ + vtableBytes_ > file_.size())
            fail("a vtable is cut short");
    }

    template <class T>
    T scalar(int field, T fallback) const
    {
        const std::size_t off = fieldOffset(field);
        return off ? read<T>(pos_ + off) : fallback;
    }
    bool has(int field) const { return fieldOffset(field) != 0; }

    Table table(int field) const { return Table(file_, target(field), name_); }

    // A vector's element count and the position of its first element (0, 0 when absent).
    std::pair<std::size_t, std::size_t> vector(int field, std::size_t elementBytes) const
    {
        if (!has(field))
            return {0, 0};
        const std::size_t at = target(field);
        const std::uint32_t count = read<std::uint32_t>(at);
        const std::size_t first = at + 4;
        if (elementBytes && count > (file_.size() - first) / elementBytes)
            fail("a vector runs past the end of the file");
        return {count, first};
    }

    template <class T>
    std::vector<T> scalars(int field) const
    {
        const auto [count, first] = vector(field, sizeof(T));
        std::vector<T> out(count);
        for (std::size_t i = 0; i < count; ++i)
            out[i] = read<T>(first + i * sizeof(T));
        return out;
    }

    std::vector<Table> tables(int field) const
    {
        const auto [count, first] = vector(field, 4);
        std::vector<Table> out;
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            const std::size_t at = first + 4 * i;
            out.emplace_back(file_, at + read<std::uint32_t>(at), name_);
        }
        return out;
    }

    std::span<const std::uint8_t> bytes(int field) const
    {
        const auto [count, first] = vector(field, 1);
        return count ? file_.subspan(first, count) : std::span<const std::uint8_t>{};
    }
    std::string string(int field) const
    {
        const auto b = bytes(field);
        return std::string(b.begin(), b.end());
    }

    [[noreturn]] void fail(const std::string& what) const
    {
        throw ModelError(name_ + " is not a readable TensorFlow Lite file: " + what + ".");
    }

private:
    std::size_t fieldOffset(int field) const
    {
        const std::size_t slot = 4 + 2 * std::size_t(field);
        if (slot + 2 > vtableBytes_)
            return 0;
        return read<std::uint16_t>(vtable_ + slot);
    }
    std::size_t target(int field) const
    {
        const std::size_t at = pos_ + fieldOffset(field);
        const std::size_t to = at + read<std::uint32_t>(at);
        if (to + 4 > file_.size())
            fail("an offset points outside the file");
        return to;
    }
    template <class T>
    T read(std::size_t at) const
    {
        if (at > file_.size() || sizeof(T) > file_.size() - at)
            fail("a field lies outside the file");
        T value;
        std::memcpy(&value, file_.data() + at, sizeof(T));  // little-endian hosts only (x86, ARM)
        return value;
    }

    std::span<const std::uint8_t> file_;
    const std::string& name_;
    std::size_t pos_ = 0, vtable_ = 0, vtableBytes_ = 0;
};

TensorType tensorType(int code)
{
    switch (code) {
    case 0: return TensorType::Float32;
    case 1: return TensorType::Float16;
    case 2: return TensorType::Int32;
    case 3: return TensorType::UInt8;
    case 4: return TensorType::Int64;
    case 9: return TensorType::Int8;
    default: return TensorType::Other;
    }
}

std::size_t elementBytes(TensorType t)
{
    switch (t) {
    case TensorType::Float32:
    case TensorType::Int32: return 4;
    case TensorType::Float16: return 2;
    case TensorType::Int64: return 8;
    case TensorType::UInt8:
    case TensorType::Int8: return 1;
    case TensorType::Other: return 0;
    }
    return 0;
}

float halfToFloat(std::uint16_t h)
{
    const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    float v;
    if (exponent == 0)
        v = std::ldexp(float(mantissa), -24);
    else if (exponent == 31)
        v = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    else
        v = std::ldexp(float(mantissa | 0x400), exponent - 25);
    return sign ? -v : v;
}

Options readOptions(const Table& op, int builtin)
{
    Options o;
    if (!op.has(4))
        return o;
    const Table t = op.table(4);
    switch (builtin) {
    case kConv2d:
        o.padding = t.scalar<std::int8_t>(0, 0);
        o.strideW = t.scalar<std::int32_t>(1, 1);
        o.strideH = t.scalar<std::int32_t>(2, 1);
        o.activation = t.scalar<std::int8_t>(3, 0);
        o.dilationW = t.scalar<std::int32_t>(4, 1);
        o.dilationH = t.scalar<std::int32_t>(5, 1);
        break;
    case kDepthwiseConv2d:
        o.padding = t.scalar<std::int8_t>(0, 0);
        o.strideW = t.scalar<std::int32_t>(1, 1);
        o.strideH = t.scalar<std::int32_t>(2, 1);
        o.depthMultiplier = t.scalar<std::int32_t>(3, 1);
        o.activation = t.scalar<std::int8_t>(4, 0);
        o.dilationW = t.scalar<std::int32_t>(5, 1);
        o.dilationH = t.scalar<std::int32_t>(6, 1);
        break;
    case kAdd:
    case kMul:
    case kSub: o.activation = t.scalar<std::int8_t>(0, 0); break;
    case kMean: o.keepDims = t.scalar<std::uint8_t>(0, 0) != 0; break;
    case kMirrorPad: o.mirrorMode = t.scalar<std::int8_t>(0, 0); break;
    case kResizeNearestNeighbor:
        o.alignCorners = t.scalar<std::uint8_t>(0, 0) != 0;
        o.halfPixelCenters = t.scalar<std::uint8_t>(1, 0) != 0;
        break;
    default: break;
    }
    // Files written with schema defaults of 0 mean 1 for strides and dilations.
    for (int* v : {&o.strideW, &o.strideH, &o.dilationW, &o.dilationH, &o.depthMultiplier})
        if (*v <= 0)
            *v = 1;
    return o;
}

}  // namespace

const char* builtinName(int code)
{
    switch (code) {
    case kAdd: return "ADD";
    case kConv2d: return "CONV_2D";
    case kDepthwiseConv2d: return "DEPTHWISE_CONV_2D";
    case kDequantize: return "DEQUANTIZE";
    case kLogistic: return "LOGISTIC";
    case kMul: return "MUL";
    case kRelu: return "RELU";
    case kReshape: return "RESHAPE";
    case kMean: return "MEAN";
    case kSub: return "SUB";
    case kRsqrt: return "RSQRT";
    case kResizeNearestNeighbor: return "RESIZE_NEAREST_NEIGHBOR";
    case kSquaredDifference: return "SQUARED_DIFFERENCE";
    case kMirrorPad: return "MIRROR_PAD";
    case kQuantize: return "QUANTIZE";
    default: return nullptr;
    }
}

Graph parse(std::span<const std::uint8_t> bytes, const std::string& name)
{
    if (bytes.size() < 8 || std::memcmp(bytes.data() + 4, "TFL3", 4) != 0)
        throw ModelError(name + " is not a TensorFlow Lite file (no TFL3 identifier at its start).");
    std::uint32_t root;
    std::memcpy(&root, bytes.data(), 4);
    const Table model(bytes, root, name);

    std::vector<int> codes;
    std::vector<std::string> customCodes;
    for (const Table& c : model.tables(1)) {
        codes.push_back(std::max<int>(c.scalar<std::int8_t>(0, 0), c.scalar<std::int32_t>(3, 0)));
        customCodes.push_back(c.string(1));
    }
    std::vector<std::span<const std::uint8_t>> buffers;
    for (const Table& b : model.tables(4)) {
        if (b.scalar<std::uint64_t>(1, 0) != 0)
            b.fail("a buffer stored outside the FlatBuffer (files over 2 GB) is not supported");
        buffers.push_back(b.bytes(0));
    }
    const std::vector<Table> subgraphs = model.tables(2);
    if (subgraphs.empty())
        model.fail("it has no subgraph");

    Graph g;
    g.description = model.string(3);
    const Table& sub = subgraphs.front();
    for (const Table& t : sub.tables(0)) {
        Tensor tensor;
        tensor.name = t.string(3);
        tensor.shape = t.scalars<std::int32_t>(0);
        tensor.typeCode = t.scalar<std::int8_t>(1, 0);
        tensor.type = tensorType(tensor.typeCode);
        const std::uint32_t buffer = t.scalar<std::uint32_t>(2, 0);
        if (buffer >= buffers.size() && !buffers.empty())
            t.fail("tensor '" + tensor.name + "' names buffer " + std::to_string(buffer) + " of " +
                   std::to_string(buffers.size()));
        if (buffer < buffers.size())
            tensor.data = buffers[buffer];
        if (t.has(4)) {
            const Table q = t.table(4);
            tensor.quantization.scale = q.scalars<float>(2);
            tensor.quantization.zeroPoint = q.scalars<std::int64_t>(3);
            tensor.quantization.axis = q.scalar<std::int32_t>(6, 0);
        }
        g.tensors.push_back(std::move(tensor));
    }
    const int count = int(g.tensors.size());
    const auto checked = [&](std::vector<int> ids, const std::string& what) {
        for (int id : ids)
            if (id < -1 || id >= count)
                sub.fail(what + " names tensor " + std::to_string(id) + " of " + std::to_string(count));
        return ids;
    };
    g.inputs = checked(sub.scalars<std::int32_t>(1), "the graph's inputs");
    g.outputs = checked(sub.scalars<std::int32_t>(2), "the graph's outputs");
    for (const Table& o : sub.tables(3)) {
        Operator op;
        const std::uint32_t index = o.scalar<std::uint32_t>(0, 0);
        if (index >= codes.size())
            o.fail("an operator names operator code " + std::to_string(index) + " of " + std::to_string(codes.size()));
        op.builtin = codes[index];
        op.customCode = customCodes[index];
        const std::string label = builtinName(op.builtin) ? builtinName(op.builtin) : "operator";
        op.inputs = checked(o.scalars<std::int32_t>(1), label + "'s inputs");
        op.outputs = checked(o.scalars<std::int32_t>(2), label + "'s outputs");
        op.options = readOptions(o, op.builtin);
        g.operators.push_back(std::move(op));
    }
    return g;
}

std::vector<float> constantValues(const Tensor& tensor, const std::string& fileName)
{
    std::size_t elements = 1;
    for (int d : tensor.shape) {
        if (d < 0)
            throw ModelError(fileName + ": tensor '" + tensor.name + "' has a negative dimension.");
        elements *= std::size_t(d);
        if (elements > tensor.data.size())  // every element is at least a byte: also no overflow
            throw ModelError(fileName + ": tensor '" + tensor.name + "' holds " + std::to_string(tensor.data.size()) +
                             " bytes of data, too few for its shape.");
    }
    const std::size_t bytes = elementBytes(tensor.type);
    if (bytes == 0)
        throw ModelError(fileName + ": tensor '" + tensor.name + "' has type " + std::to_string(tensor.typeCode) +
                         ", which Stylize cannot read (expected float32, float16, int8, uint8 or int32).");
    if (tensor.data.size() != elements * bytes)
        throw ModelError(fileName + ": tensor '" + tensor.name + "' holds " + std::to_string(tensor.data.size()) +
                         " bytes of data; its shape needs " + std::to_string(elements * bytes) + ".");
    std::vector<float> out(elements);
    const std::uint8_t* p = tensor.data.data();
    for (std::size_t i = 0; i < elements; ++i) {
        switch (tensor.type) {
        case TensorType::Float32: std::memcpy(&out[i], p + 4 * i, 4); break;
        case TensorType::Float16: {
            std::uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            out[i] = halfToFloat(h);
            break;
        }
        case TensorType::Int32: {
            std::int32_t v;
            std::memcpy(&v, p + 4 * i, 4);
            out[i] = float(v);
            break;
        }
        case TensorType::Int64: {
            std::int64_t v;
            std::memcpy(&v, p + 8 * i, 8);
            out[i] = float(v);
            break;
        }
        case TensorType::Int8: out[i] = float(std::int8_t(p[i])); break;
        case TensorType::UInt8: out[i] = float(p[i]); break;
        case TensorType::Other: break;
        }
    }
    const Quantization& q = tensor.quantization;
    const bool integer = tensor.type == TensorType::Int8 || tensor.type == TensorType::UInt8 ||
                         tensor.type == TensorType::Int32;
    if (integer && !q.scale.empty()) {
        // Per-channel along `axis`: element i's channel is (i / inner) % dim(axis).
        const int axis = q.scale.size() > 1 ? q.axis : 0;
        if (axis < 0 || (q.scale.size() > 1 && (axis >= int(tensor.shape.size()) ||
                                                 std::size_t(tensor.shape[axis]) != q.scale.size())))
            throw ModelError(fileName + ": tensor '" + tensor.name + "' has " + std::to_string(q.scale.size()) +
                             " quantization scales that do not match its shape.");
        std::size_t inner = 1;
        for (std::size_t d = axis + 1; d < tensor.shape.size(); ++d)
            inner *= std::size_t(tensor.shape[d]);
        for (std::size_t i = 0; i < elements; ++i) {
            const std::size_t ch = q.scale.size() > 1 ? (i / inner) % q.scale.size() : 0;
            const float zero = ch < q.zeroPoint.size() ? float(q.zeroPoint[ch]) : 0.f;
            out[i] = (out[i] - zero) * q.scale[ch];
        }
    }
    for (std::size_t i = 0; i < elements; ++i)
        if (!std::isfinite(out[i]))
            throw ModelError(fileName + ": tensor '" + tensor.name + "' value " + std::to_string(i) + " of " +
                             std::to_string(elements) + " is not a finite number: the weights are damaged.");
    return out;
}

}  // namespace stylize::model::tflite
