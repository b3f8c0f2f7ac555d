// The colour pattern of the recording and export colour tests.
#include "colour_pattern.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace stylize::test {

const std::array<std::array<int, 3>, 8> kPatches = {{{220, 30, 30},
                                                    {30, 200, 40},
                                                    {40, 50, 210},
                                                    {230, 220, 40},
                                                    {40, 210, 220},
                                                    {210, 40, 200},
                                                    {128, 128, 128},
                                                    {224, 172, 140}}};

void paintPattern(std::uint8_t* rgba, int stride, int w, int h)
{
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const auto& c = kPatches[(y * 2 / h) * 4 + x * 4 / w];
            std::uint8_t* p = rgba + std::size_t(y) * stride + x * 4;
            p[0] = std::uint8_t(c[0]), p[1] = std::uint8_t(c[1]), p[2] = std::uint8_t(c[2]), p[3] = 255;
        }
}

std::vector<std::uint8_t> decodeRgb(const std::filesystem::path& file, int w, int h)
{
    const std::filesystem::path raw = file.string() + ".rgb";
    const std::string cmd = "ffmpeg -v error -y -i '" + file.string() +
                            "' -sws_flags accurate_rnd+full_chroma_int+bitexact -f rawvideo -pix_fmt rgb24 '" +
                            raw.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(raw, std::ios::binary);
    std::vector<std::uint8_t> rgb((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t frame = std::size_t(w) * h * 3;
    EXPECT_GE(rgb.size(), frame);
    if (rgb.size() < frame)
        return {};
    return std::vector<std::uint8_t>(rgb.end() - frame, rgb.end());
}

int worstPatchError(const std::vector<std::uint8_t>& rgb, int w, int h, std::string* where)
{
    int worst = 0;
    for (int i = 0; i < 8; ++i) {
        // The patch centre, away from chroma-subsampled edges.
        const int x = (i % 4) * w / 4 + w / 8, y = (i / 4) * h / 2 + h / 4;
        const std::uint8_t* p = &rgb[(std::size_t(y) * w + x) * 3];
        for (int c = 0; c < 3; ++c)
            if (std::abs(p[c] - kPatches[i][c]) > worst) {
                worst = std::abs(p[c] - kPatches[i][c]);
                *where = "patch " + std::to_string(i) + " recorded " + std::to_string(p[0]) + "," +
                         std::to_string(p[1]) + "," + std::to_string(p[2]);
            }
    }
    return worst;
}

}  // namespace stylize::test
