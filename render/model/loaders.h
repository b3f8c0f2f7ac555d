// Entry points that turn model files into a stylize::model::Model. Every loader throws
// ModelError with a message naming the file and what was wrong; none crashes on bad input.
#pragma once

#include <filesystem>

#include "model/model.h"

namespace stylize::model {

// Engstrom's fast-style-transfer checkpoint as republished by ml5.js: a folder with
// manifest.json and one raw little-endian float32 file per variable.
Model loadEngstromCheckpoint(const std::filesystem::path& folder);

// An ONNX file: PyTorch's fast_neural_style TransformerNet (any opset torch exports,
// constant pad subgraphs folded) and the ONNX model zoo form (opset 8/9, Upsample).
Model loadOnnx(const std::filesystem::path& file);

// Stylize's own style pack (docs/style-pack.md): graph, weights, named styles.
Model loadStylePack(const std::filesystem::path& file);
void saveStylePack(const Model& model, const std::filesystem::path& file);

// Picks the loader by what the path is: a folder with manifest.json, *.onnx, *.stylepack.
Model loadModel(const std::filesystem::path& path);

}  // namespace stylize::model
