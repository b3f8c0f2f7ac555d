// Parsing a style selection ("wave", "a=0.6,b=0.4", "0=1,2=1") against a model's styles.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::app {

// One weight per style slot of `model`, normalized to sum 1. Empty text: the first
// style. Names match StyleInfo::name (case-insensitive) or a slot index. Throws
// std::invalid_argument listing the available styles when a name is unknown.
std::vector<float> parseStyleSelection(const std::string& text, const model::Model& model);

}  // namespace stylize::app
