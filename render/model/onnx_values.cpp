// Decodes ONNX TensorProtos and node attributes, checking every size against the data.
#include "model/onnx_values.h"

#include <bit>
#include <cstring>
#include <limits>

#include <onnx/onnx_pb.h>

#include "model/model.h"
#include "model/model_limits.h"

namespace stylize::model::onnx_import {

namespace {

constexpr int kMaxRank = 8;

std::string typeName(int type)
{
    if (onnx::TensorProto_DataType_IsValid(type))
        return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type));
    return std::to_string(type);
}

// Little-endian element `i` of `bytes` as an unsigned integer of `size` bytes.
std::uint64_t rawBits(const std::string& bytes, std::size_t i, std::size_t size)
{
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < size; ++b)
        v |= std::uint64_t(static_cast<unsigned char>(bytes[i * size + b])) << (8 * b);
    return v;
}

// Narrows a double without the undefined behaviour of out-of-range conversions.
float narrow(double d)
{
    constexpr double big = std::numeric_limits<float>::max();
    if (d > big)
        return std::numeric_limits<float>::infinity();
    if (d < -big)
        return -std::numeric_limits<float>::infinity();
    return float(d);
}

float halfToFloat(std::uint16_t h)
{
    const std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
    int exponent = (h >> 10) & 0x1f;
    std::uint32_t mantissa = h & 0x3ff;
    if (exponent == 0x1f)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) {
        if (mantissa == 0)
            return std::bit_cast<float>(sign);
        // Subnormal half: normalize it.
        exponent = 1;
        while (!(mantissa & 0x400)) {
            mantissa <<= 1;
            --exponent;
        }
        mantissa &= 0x3ff;
    }
    return std::bit_cast<float>(sign | std::uint32_t(exponent + 112) << 23 | mantissa << 13);
}

}  // namespace

std::string ConstTensor::shapeText() const
{
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

std::int64_t checkedCount(const std::vector<std::int64_t>& dims, std::int64_t maxElements, const std::string& where)
{
    if (dims.size() > std::size_t(kMaxRank))
        throw ModelError(where + ": has " + std::to_string(dims.size()) + " dimensions, expected at most " +
                         std::to_string(kMaxRank));
    std::int64_t count = 1;
    for (std::int64_t d : dims) {
        if (d < 0)
            throw ModelError(where + ": has a negative dimension " + std::to_string(d));
        if (d != 0 && count > maxElements / d)
            throw ModelError(where + ": has more than " + std::to_string(maxElements) +
                             " elements, the limit for a model tensor");
        count *= d;
    }
    if (count > maxElements)
        throw ModelError(where + ": has more than " + std::to_string(maxElements) +
                         " elements, the limit for a model tensor");
    return count;
}

ConstTensor tensorFromProto(const onnx::TensorProto& proto, const std::string& where)
{
    if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL || proto.external_data_size() > 0)
        throw ModelError(where +
                         ": stores its data in an external file, which Stylize does not read; "
                         "export the model as a single file");
    ConstTensor t;
    t.dims.assign(proto.dims().begin(), proto.dims().end());
    const std::int64_t count = checkedCount(t.dims, limits::kMaxTensorBytes / 4, where);
    const std::size_t n = std::size_t(count);
    const int type = proto.data_type();
    std::size_t elementSize = 0;
    switch (type) {
        case onnx::TensorProto_DataType_FLOAT:
        case onnx::TensorProto_DataType_INT32:
        case onnx::TensorProto_DataType_UINT32:
            elementSize = 4;
            break;
        case onnx::TensorProto_DataType_DOUBLE:
        case onnx::TensorProto_DataType_INT64:
        case onnx::TensorProto_DataType_UINT64:
            elementSize = 8;
            break;
        case onnx::TensorProto_DataType_FLOAT16:
        case onnx::TensorProto_DataType_INT16:
        case onnx::TensorProto_DataType_UINT16:
            elementSize = 2;
            break;
        case onnx::TensorProto_DataType_INT8:
        case onnx::TensorProto_DataType_UINT8:
        case onnx::TensorProto_DataType_BOOL:
            elementSize = 1;
            break;
        default:
            throw ModelError(where + ": has element type " + typeName(type) +
                             ", which Stylize does not read; expected float or integer data");
    }
    const bool isFloat = type == onnx::TensorProto_DataType_FLOAT || type == onnx::TensorProto_DataType_DOUBLE ||
                         type == onnx::TensorProto_DataType_FLOAT16;
    t.type = isFloat ? ConstTensor::Type::Float : ConstTensor::Type::Int64;

    // Sizes are checked before anything is allocated: dims alone are not trusted.
    std::size_t stored = 0;
    const char* field = "raw_data";
    if (proto.has_raw_data()) {
        stored = proto.raw_data().size() / elementSize;
    } else if (type == onnx::TensorProto_DataType_FLOAT) {
        stored = std::size_t(proto.float_data_size()), field = "float_data";
    } else if (type == onnx::TensorProto_DataType_DOUBLE) {
        stored = std::size_t(proto.double_data_size()), field = "double_data";
    } else if (type == onnx::TensorProto_DataType_INT64) {
        stored = std::size_t(proto.int64_data_size()), field = "int64_data";
    } else if (type == onnx::TensorProto_DataType_UINT32 || type == onnx::TensorProto_DataType_UINT64) {
        stored = std::size_t(proto.uint64_data_size()), field = "uint64_data";
    } else {
        stored = std::size_t(proto.int32_data_size()), field = "int32_data";
    }
    const bool matches = proto.has_raw_data() ? proto.raw_data().size() == n * elementSize : stored == n;
    if (!matches)
        throw ModelError(where + ": holds " + std::to_string(stored) + " values in " + field + " but its shape " +
                         ConstTensor{t.type, t.dims, {}, {}}.shapeText() + " needs " + std::to_string(n) +
                         "; the file is damaged");
    if (isFloat)
        t.floats.resize(n);
    else
        t.ints.resize(n);

    if (proto.has_raw_data()) {
        const std::string& raw = proto.raw_data();
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t bits = rawBits(raw, i, elementSize);
            switch (type) {
                case onnx::TensorProto_DataType_FLOAT:
                    t.floats[i] = std::bit_cast<float>(std::uint32_t(bits));
                    break;
                case onnx::TensorProto_DataType_DOUBLE:
                    t.floats[i] = narrow(std::bit_cast<double>(bits));
                    break;
                case onnx::TensorProto_DataType_FLOAT16:
                    t.floats[i] = halfToFloat(std::uint16_t(bits));
                    break;
                case onnx::TensorProto_DataType_INT32:
                    t.ints[i] = std::int32_t(std::uint32_t(bits));
                    break;
                case onnx::TensorProto_DataType_INT16:
                    t.ints[i] = std::int16_t(std::uint16_t(bits));
                    break;
                case onnx::TensorProto_DataType_INT8:
                    t.ints[i] = std::int8_t(std::uint8_t(bits));
                    break;
                default:
                    t.ints[i] = std::int64_t(bits);
                    break;
            }
        }
        return t;
    }
    switch (type) {
        case onnx::TensorProto_DataType_FLOAT:
            for (std::size_t i = 0; i < n; ++i)
                t.floats[i] = proto.float_data(int(i));
            break;
        case onnx::TensorProto_DataType_DOUBLE:
            for (std::size_t i = 0; i < n; ++i)
                t.floats[i] = narrow(proto.double_data(int(i)));
            break;
        case onnx::TensorProto_DataType_INT64:
            for (std::size_t i = 0; i < n; ++i)
                t.ints[i] = proto.int64_data(int(i));
            break;
        case onnx::TensorProto_DataType_UINT32:
        case onnx::TensorProto_DataType_UINT64:
            for (std::size_t i = 0; i < n; ++i)
                t.ints[i] = std::int64_t(proto.uint64_data(int(i)));
            break;
        default:  // int32_data holds every narrower type, float16 as its bits
            for (std::size_t i = 0; i < n; ++i) {
                if (isFloat)
                    t.floats[i] = halfToFloat(std::uint16_t(proto.int32_data(int(i))));
                else
                    t.ints[i] = proto.int32_data(int(i));
            }
            break;
    }
    return t;
}

std::string nodeLabel(const onnx::NodeProto& node, int index)
{
    if (!node.name().empty())
        return node.name();
    return node.op_type() + " #" + std::to_string(index);
}

const onnx::AttributeProto* findAttribute(const onnx::NodeProto& node, const std::string& name)
{
    for (const onnx::AttributeProto& a : node.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

namespace {

[[noreturn]] void wrongType(const std::string& where, const std::string& name, const char* want)
{
    throw ModelError(where + ": attribute '" + name + "' must be " + want);
}

}  // namespace

std::int64_t intAttribute(const onnx::NodeProto& node, const std::string& name, std::int64_t fallback,
                          const std::string& where)
{
    const onnx::AttributeProto* a = findAttribute(node, name);
    if (!a)
        return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_INT && !a->has_i())
        wrongType(where, name, "an integer");
    return a->i();
}

float floatAttribute(const onnx::NodeProto& node, const std::string& name, float fallback, const std::string& where)
{
    const onnx::AttributeProto* a = findAttribute(node, name);
    if (!a)
        return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_FLOAT && !a->has_f())
        wrongType(where, name, "a number");
    return a->f();
}

std::string stringAttribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback,
                            const std::string& where)
{
    const onnx::AttributeProto* a = findAttribute(node, name);
    if (!a)
        return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_STRING && !a->has_s())
        wrongType(where, name, "a string");
    return a->s();
}

std::optional<std::vector<std::int64_t>> intsAttribute(const onnx::NodeProto& node, const std::string& name,
                                                       const std::string& where)
{
    const onnx::AttributeProto* a = findAttribute(node, name);
    if (!a)
        return std::nullopt;
    if (a->type() != onnx::AttributeProto_AttributeType_INTS &&
        a->type() != onnx::AttributeProto_AttributeType_UNDEFINED)
        wrongType(where, name, "a list of integers");
    if (a->ints_size() > 64)
        wrongType(where, name, "a short list of integers");
    return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

}  // namespace stylize::model::onnx_import
