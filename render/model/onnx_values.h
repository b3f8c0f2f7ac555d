// Constant tensors and node attributes read from ONNX protobufs, checked against limits.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace onnx {
class TensorProto;
class NodeProto;
class AttributeProto;
}  // namespace onnx

namespace stylize::model::onnx_import {

// A constant known at load time: an initializer, a Constant node or a folded subgraph.
// Floating-point types are held as float, integer and bool types as int64.
struct ConstTensor {
    enum class Type { Float, Int64 };
    Type type = Type::Float;
    std::vector<std::int64_t> dims;
    std::vector<float> floats;       // when Float
    std::vector<std::int64_t> ints;  // when Int64

    std::int64_t count() const { return std::int64_t(type == Type::Float ? floats.size() : ints.size()); }
    double number(std::size_t i) const { return type == Type::Float ? double(floats[i]) : double(ints[i]); }
    std::string shapeText() const;
};
using ConstPtr = std::shared_ptr<const ConstTensor>;
using ConstantTable = std::unordered_map<std::string, ConstPtr>;

// Element count of dims; throws ModelError (prefixed by `where`) when a dim is negative
// or the count exceeds maxElements.
std::int64_t checkedCount(const std::vector<std::int64_t>& dims, std::int64_t maxElements, const std::string& where);

// Decodes a TensorProto, never trusting its sizes: the data must match the dims.
ConstTensor tensorFromProto(const onnx::TensorProto& proto, const std::string& where);

// A node's name for messages: its `name`, or its op type and position when unnamed.
std::string nodeLabel(const onnx::NodeProto& node, int index);

// Attribute access by name; nullptr / nullopt / the fallback when absent. Throws
// ModelError when present with the wrong type.
const onnx::AttributeProto* findAttribute(const onnx::NodeProto& node, const std::string& name);
std::int64_t intAttribute(const onnx::NodeProto& node, const std::string& name, std::int64_t fallback,
                          const std::string& where);
float floatAttribute(const onnx::NodeProto& node, const std::string& name, float fallback, const std::string& where);
std::string stringAttribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback,
                            const std::string& where);
std::optional<std::vector<std::int64_t>> intsAttribute(const onnx::NodeProto& node, const std::string& name,
                                                       const std::string& where);

}  // namespace stylize::model::onnx_import
