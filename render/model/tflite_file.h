// A TensorFlow Lite file read as data: its first subgraph's tensors (shape, type,
// constant data, quantization), its operators (builtin code, inputs, outputs and the
// options Stylize's loaders need) and nothing more. Our own reader of the FlatBuffers
// layout (little-endian; a root offset; tables through vtables of uint16 field
// offsets; vectors as a uint32 count then the elements), the fields taken from
// TensorFlow Lite's published schema.fbs. Every offset is checked against the file: a
// damaged or hostile file is a ModelError naming the file and what was wrong.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace stylize::model {

namespace tflite {

// BuiltinOperator codes of the ops our loaders know (schema.fbs numbering).
enum Builtin : int {
    kAdd = 0,
    kConv2d = 3,
    kDepthwiseConv2d = 4,
    kDequantize = 6,
    kLogistic = 14,
    kMul = 18,
    kRelu = 19,
    kReshape = 22,
    kMean = 40,
    kSub = 41,
    kRsqrt = 76,
    kResizeNearestNeighbor = 97,
    kSquaredDifference = 99,
    kMirrorPad = 100,
    kQuantize = 114,
};
const char* builtinName(int code);  // "CONV_2D", or "builtin 123" for others

enum class TensorType { Float32, Float16, Int32, UInt8, Int64, Int8, Other };

struct Quantization {
    std::vector<float> scale;           // one, or one per channel along `axis`
    std::vector<std::int64_t> zeroPoint;
    int axis = 0;
};

struct Tensor {
    std::string name;
    std::vector<int> shape;
    TensorType type = TensorType::Other;
    int typeCode = 0;                     // schema TensorType value (for messages)
    std::span<const std::uint8_t> data;   // constant data in the file (empty: computed)
    Quantization quantization;            // scale empty: not quantized
};

// The options of the ops that have some (schema.fbs tables; absent fields as defaults).
struct Options {
    int padding = 0;      // Conv2D / DepthwiseConv2D: 0 SAME, 1 VALID
    int strideW = 1, strideH = 1;
    int dilationW = 1, dilationH = 1;
    int depthMultiplier = 1;
    int activation = 0;   // fused_activation_function: 0 none, 1 ReLU, 2 ReLU_N1_TO_1, 3 ReLU6
    bool keepDims = false;     // Mean
    int mirrorMode = 0;        // MirrorPad: 0 REFLECT, 1 SYMMETRIC
    bool alignCorners = false, halfPixelCenters = false;  // ResizeNearestNeighbor
};

struct Operator {
    int builtin = -1;
    std::string customCode;  // custom ops: their name
    std::vector<int> inputs, outputs;  // tensor indices; -1 = an optional input left out
    Options options;
};

struct Graph {
    std::vector<Tensor> tensors;
    std::vector<int> inputs, outputs;
    std::vector<Operator> operators;
    std::string description;
};

// Parses `bytes` (kept alive by the caller: tensors point into it). `name` is what
// messages call the file.
Graph parse(std::span<const std::uint8_t> bytes, const std::string& name);

// A constant tensor as float32: fp32 as is, fp16 widened, int8/uint8/int32 dequantized
// with its scale and zero point (per channel along the quantized axis). Throws naming
// the tensor when it has no data or a type this cannot convert.
std::vector<float> constantValues(const Tensor& tensor, const std::string& fileName);

}  // namespace tflite
}  // namespace stylize::model
