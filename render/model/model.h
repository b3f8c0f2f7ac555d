// The Vulkan-free description of a feed-forward style network: a static graph of
// typed nodes over tensors, with weights in PyTorch layouts and per-style IN parameters.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace stylize::model {

// Thrown by every loader and by validate(): the message names the file, tensor or op
// and what was expected, so it can be shown to the user as it is.
class ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A value in the graph. Tensor 0 is always the network input (3 channels, the
// image mapped to the model's input range); every node writes exactly one tensor.
using TensorId = int;
constexpr TensorId kInputTensor = 0;

enum class PadMode { Zero, Reflect };

// How a convolution pads its input.
//  Explicit: top/bottom/left/right as given (PyTorch, ONNX).
//  TfSame:   TensorFlow "SAME": total = max((ceil(n/s)-1)*s + k - n, 0), the smaller
//            half before; depends on the input size, so it is resolved per shape.
struct Padding {
    enum class Rule { Explicit, TfSame };
    Rule rule = Rule::Explicit;
    PadMode mode = PadMode::Zero;
    int top = 0, bottom = 0, left = 0, right = 0;
};

// y = conv(pad(upsample?(x)), w) + b. Weights OIHW: [out][in][kh][kw].
struct Conv {
    int inChannels = 0, outChannels = 0, kernelH = 0, kernelW = 0, stride = 1;
    Padding padding;
    bool upsample2x = false;  // nearest 2x upsampling of the input before padding
    std::vector<float> weights;
    std::vector<float> bias;  // empty or outChannels
};

// Transposed convolution (PyTorch semantics). Weights IOHW: [in][out][kh][kw].
// Output size = (n-1)*stride + k - padBegin - padEnd (per axis; padEnd may be
// negative, which is PyTorch's output_padding). TensorFlow SAME with output n*stride
// is padBegin = (k-s)/2, padEnd = k-s-padBegin.
struct ConvTranspose {
    int inChannels = 0, outChannels = 0, kernelH = 0, kernelW = 0, stride = 2;
    int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
    std::vector<float> weights;
    std::vector<float> bias;  // empty or outChannels
};

// Nearest-neighbour 2x upsampling (kept separate when it cannot be folded into a conv).
struct Upsample2x {};

// Instance normalization, optionally conditional: scale[s] / shift[s] hold the affine
// parameters of style slot s (each `channels` long). A blend of styles is the weighted
// sum of the slots. Biased variance, as every framework computes it.
struct InstanceNorm {
    int channels = 0;
    float epsilon = 1e-5f;
    std::vector<std::vector<float>> scale;  // [styleSlots][channels]
    std::vector<std::vector<float>> shift;  // [styleSlots][channels]
};

struct Relu {};
struct Add {};       // inputs[0] + inputs[1], same shape
struct Tanh {};
struct Sigmoid {};
struct Affine {      // y = x * scale + bias (one pair for all channels)
    float scale = 1.f, bias = 0.f;
};
struct Clamp {
    float lo = 0.f, hi = 255.f;
};

using Op = std::variant<Conv, ConvTranspose, Upsample2x, InstanceNorm, Relu, Add, Tanh,
                        Sigmoid, Affine, Clamp>;

struct Node {
    std::string name;  // from the source file, for error messages and per-op timings
    Op op;
    std::vector<TensorId> inputs;
    TensorId output = -1;
};

// How an RGB image (0..255 per channel) becomes the input tensor and how the output
// tensor becomes an image: tensor = pixel * inScale + inBias; pixel = clamp(tensor *
// outScale + outBias, 0, 255). Per channel, R, G, B.
struct ImageMapping {
    float inScale[3] = {1.f, 1.f, 1.f};
    float inBias[3] = {0.f, 0.f, 0.f};
    float outScale[3] = {1.f, 1.f, 1.f};
    float outBias[3] = {0.f, 0.f, 0.f};
};

// What the user sees of one style slot.
struct StyleInfo {
    std::string name;         // short id used on the command line ("wave")
    std::string title;        // painting title
    std::string artist;
    std::string year;
    std::string source;       // where the painting image came from (package, file)
    std::string license;
    std::vector<std::uint8_t> thumbnail;  // PNG bytes, may be empty
};

struct Model {
    std::string name;    // display name
    std::string origin;  // file or folder it was loaded from
    std::vector<Node> nodes;  // topological order
    TensorId output = -1;     // 3-channel output tensor
    ImageMapping mapping;
    std::vector<StyleInfo> styles;  // one entry per style slot (at least one)
    // Down-sampling rounds up, so the output tensor can be a little larger than the
    // input (474 rows -> 476); the image is its top-left crop, as in the references.

    int styleCount() const { return static_cast<int>(styles.size()); }
    int tensorCount() const;  // 1 + number of nodes (ids are dense)
};

// The op's type as written in style packs and messages ("Conv", "InstanceNorm", ...).
const char* opName(const Op& op);

// Checks the graph: ids dense and defined before use, channel counts chain, weight
// sizes match, IN slot counts equal styleCount(), output has 3 channels. Throws
// ModelError naming the node and what was expected.
void validate(const Model& model);

// Shape of every tensor for an input of height h and width w (channels, height, width).
struct Shape {
    int c = 0, h = 0, w = 0;
    std::int64_t elements() const { return std::int64_t(c) * h * w; }
    bool operator==(const Shape&) const = default;
};
std::vector<Shape> inferShapes(const Model& model, int h, int w);

// Padding of a conv for an input of h x w, with TfSame resolved (upsample2x included:
// the padding applies to the upsampled input).
struct ResolvedPadding {
    int top = 0, bottom = 0, left = 0, right = 0;
};
ResolvedPadding resolvePadding(const Conv& conv, int h, int w);

// Multiply-adds x2 of the whole network at this size (for GFLOP/s figures).
double flops(const Model& model, int h, int w);

}  // namespace stylize::model
