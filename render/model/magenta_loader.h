// Magenta's arbitrary-style transfer network (Ghiasi et al. 2017) from its TensorFlow
// Lite file, as a Stylize model whose style slots come from 100-number style vectors.
//
// The file's graph is read back into layers: MIRROR_PAD + CONV_2D (VALID) is a
// reflect-padded convolution, RESIZE_NEAREST_NEIGHBOR + MIRROR_PAD + CONV_2D an
// upsampling one (the frozen sizes read as 2x, 2x, then the input's own size), the
// MEAN / SQUARED_DIFFERENCE / ADD / RSQRT / MUL / SUB chain of each `StyleNorm` an
// instance norm whose scale and shift are 1x1 convolutions of the style vector (so a
// style is that vector, and a blend of vectors is a blend of scales and shifts: what
// conditional instance norm's slots blend), LOGISTIC the output. Anything else is an
// error naming the op.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::model {

// The style vector's part of the network: for every instance norm (in node order), the
// 1x1 convolutions that make its scale and shift from a style vector.
struct StyleProjection {
    int vectorSize = 0;  // 100 for Magenta's predictor
    struct Norm {
        int node = 0;  // index into Model::nodes
        std::vector<float> scaleWeights, scaleBias;  // [channels][vectorSize], [channels]
        std::vector<float> shiftWeights, shiftBias;
    };
    std::vector<Norm> norms;

    // Appends one style slot to every instance norm of `model` from `vector`.
    void addStyle(Model& model, const std::vector<float>& vector, StyleInfo info) const;
};

struct MagentaTransfer {
    Model model;  // no style slots yet: add them with projection.addStyle
    StyleProjection projection;
};

// Reads the transfer network (style_transfer_*.tflite). Throws ModelError naming the file
// and the op or tensor that does not fit.
MagentaTransfer loadMagentaTransfer(const std::filesystem::path& file);

}  // namespace stylize::model
