// Any picture as a style: Magenta's arbitrary-style model (a folder holding its two
// TensorFlow Lite files) made into a Stylize model whose style slots are pictures. The
// predictor turns each picture into a style vector once; the transfer network runs on
// the GPU like any other model, and pictures blend as slots do (a weighted mean of their
// vectors, since scale and shift are linear in the vector).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::app {

// True for a folder that holds style_predict*.tflite and style_transfer*.tflite.
bool isMagentaFolder(const std::filesystem::path& folder);

struct PictureStyles {
    model::Model model;          // one style slot per picture
    std::vector<float> weights;  // per slot, summing to 1
};

// "PICTURE[=w][,PICTURE[=w]...]": the pictures' styles with their weights (default 1).
// Throws std::runtime_error naming the folder, picture or weight that is wrong.
PictureStyles loadPictureStyles(const std::filesystem::path& folder, const std::string& pictures);

}  // namespace stylize::app
