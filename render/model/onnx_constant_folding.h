// Load-time evaluation of the constant subgraphs exporters write (pad amounts, scales,
// shared parameters behind Identity nodes), so the loader sees plain constants.
#pragma once

#include <string>

#include "model/onnx_values.h"

namespace stylize::model::onnx_import {

// True when the op type is one this evaluator computes.
bool isFoldableOp(const std::string& opType);

// Evaluates a node whose inputs are all in `constants` (empty names are absent optional
// inputs) and stores its outputs there. Throws ModelError prefixed by `where` when the
// node is malformed.
void foldConstantNode(const onnx::NodeProto& node, ConstantTable& constants, const std::string& where);

}  // namespace stylize::model::onnx_import
