// A known colour pattern for the colour tests of recordings and exports: eight flat
// patches painted into RGBA, and what FFmpeg's command line tool decodes a file back to.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace stylize::test {

// Flat patches in a 4x2 grid: primaries, secondaries, a mid grey and a skin tone.
extern const std::array<std::array<int, 3>, 8> kPatches;

void paintPattern(std::uint8_t* rgba, int stride, int w, int h);
// The last frame of `file` as FFmpeg's command line tool decodes it to RGB (w x h x 3).
std::vector<std::uint8_t> decodeRgb(const std::filesystem::path& file, int w, int h);
// The largest difference of a patch centre from its colour, in levels; `where` says which.
int worstPatchError(const std::vector<std::uint8_t>& rgb, int w, int h, std::string* where);

}  // namespace stylize::test
