// A tiny NumPy .npy reader/writer for the float32 goldens the Python scripts write.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace stylize::test {

// A C-order array. Float32 files load as they are; uint8 files (images) are widened to
// float so tests handle one element type.
struct NpyArray {
    std::vector<std::int64_t> shape;
    std::vector<float> data;
};

// Reads little-endian float32 ('<f4') or uint8 ('|u1') C-order .npy files (format
// versions 1-3). Throws std::runtime_error naming the file and what is unsupported.
NpyArray readNpy(const std::filesystem::path& file);

// Writes a float32 C-order .npy (version 1.0) that numpy.load reads.
void writeNpy(const std::filesystem::path& file, std::span<const std::int64_t> shape,
              std::span<const float> data);

}  // namespace stylize::test
