// Reading and writing still images (PNG, JPEG, ...) as engine RGBA8 images.
#pragma once

#include <filesystem>
#include <stdexcept>

#include "image.h"

namespace stylize::app {

class ImageFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws ImageFileError naming the file and what went wrong.
render::Image readImage(const std::filesystem::path& file);
// Format from the extension (png, jpg/jpeg, bmp, webp where Qt has it). Writes to a
// temporary file and renames, so a failure never leaves a half-written image.
void writeImage(const render::Image& image, const std::filesystem::path& file);

}  // namespace stylize::app
