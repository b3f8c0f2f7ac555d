// The CPU reference of OutputLook::steady (reference_steady.h).
#include "cpu/reference_steady.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace stylize::cpu {
namespace {

constexpr int kTile = 8;          // steady.comp's TILE
constexpr int kCoarseRadius = 4;  // in 2x2 blocks, around no motion
constexpr int kFineRadius = 2;    // whole pixels around the coarse level's best
constexpr float kSigma = 8.f;     // grey levels of change at which a pixel keeps 1/e of its weight

float average(float a, float b, float c, float d)
{
    return (a + b + c + d) * 0.25f;
}

// steady.comp's vectorCost: the mean difference, 0.05 per pixel of motion, 2 for any.
float vectorCost(float meanDifference, int vx, int vy)
{
    return meanDifference + 0.05f * float(std::abs(vx) + std::abs(vy)) + (vx != 0 || vy != 0 ? 2.f : 0.f);
}

}  // namespace

ReferenceSteady::ReferenceSteady(int width, int height, float keep, int wideRadius)
    : width_(width), height_(height), keep_(keep), wideRadius_(wideRadius)
{
    if (width <= 0 || height <= 0)
        throw std::invalid_argument("steady reference: a " + std::to_string(width) + "x" + std::to_string(height) +
                                    " frame has no pixels");
}

float ReferenceSteady::prev(int x, int y) const
{
    return prevLuma_[std::size_t(std::clamp(y, 0, height_ - 1)) * width_ + std::clamp(x, 0, width_ - 1)];
}

// The tile's whole-pixel motion, coarse to fine as steady.comp finds it: on the 4x4 means
// of the 16x16 window around the tile (vectors 4u, |u| <= the wide radius), on the tile's 2x2 means
// (vectors 2u, |u| <= 4, then the 9 within 2 of the first level's best), then the 25
// within 2 of the second level's best and no motion; the first of equal costs in the
// shader's candidate order.
ReferenceSteady::Vector ReferenceSteady::motion(std::span<const float> luma, int tx, int ty) const
{
    const int w = width_, h = height_;
    const int ox = tx * kTile, oy = ty * kTile;
    const int tw = std::min(kTile, w - ox), th = std::min(kTile, h - oy);
    const auto inside = [&](int vx, int vy) {
        return ox + vx >= 0 && oy + vy >= 0 && ox + tw + vx <= w && oy + th + vy <= h;
    };
    const auto curAt = [&](int x, int y) { return luma[std::size_t(y) * w + x]; };
    const auto prevAt = [&](int x, int y) { return prevLuma_[std::size_t(y) * w + x]; };
    // 4x4 means, summed row by row; a block that overhangs the frame repeats its edge pixels.
    const int qw = (w + 3) / 4, qh = (h + 3) / 4;
    const auto block4 = [&](const auto& at, int bx, int by) {
        float sum = 0;
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                sum += at(std::min(4 * bx + x, w - 1), std::min(4 * by + y, h - 1));
        return sum * (1.f / 16.f);
    };
    const int wx = ox / 4 - 1, wy = oy / 4 - 1;
    float best = 3e38f;
    Vector wide{0, 0};
    for (int uy = -wideRadius_; uy <= wideRadius_; ++uy)
        for (int ux = -wideRadius_; ux <= wideRadius_; ++ux) {
            if (!inside(4 * ux, 4 * uy))
                continue;
            float sad = 0;
            for (int y = 0; y < 4; ++y)
                for (int x = 0; x < 4; ++x)
                    sad += std::abs(
                        block4(curAt, std::clamp(wx + x, 0, qw - 1), std::clamp(wy + y, 0, qh - 1)) -
                        block4(prevAt, std::clamp(wx + x + ux, 0, qw - 1), std::clamp(wy + y + uy, 0, qh - 1)));
            const float cost = vectorCost(sad / 16.f, 4 * ux, 4 * uy);
            if (cost < best) {
                best = cost;
                wide = {4 * ux, 4 * uy};
            }
        }
    // 2x2 means; a partial tile repeats its last block; the last block of an odd row or
    // column repeats its edge pixels.
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    const auto block = [&](const auto& at, int bx, int by) {
        const int x = 2 * bx, y = 2 * by, x1 = std::min(x + 1, w - 1), y1 = std::min(y + 1, h - 1);
        return average(at(x, y), at(x1, y), at(x, y1), at(x1, y1));
    };
    constexpr int kCoarseSide = 2 * kCoarseRadius + 1;
    best = 3e38f;
    Vector coarse{0, 0};
    for (int c = 0; c < kCoarseSide * kCoarseSide + 9; ++c) {
        const int k = c - kCoarseSide * kCoarseSide;
        const int ux = c < kCoarseSide * kCoarseSide ? c % kCoarseSide - kCoarseRadius : wide.x / 2 + k % 3 - 1;
        const int uy = c < kCoarseSide * kCoarseSide ? c / kCoarseSide - kCoarseRadius : wide.y / 2 + k / 3 - 1;
        if (!inside(2 * ux, 2 * uy))
            continue;
        float sad = 0;
        for (int y = 0; y < kTile / 2; ++y)
            for (int x = 0; x < kTile / 2; ++x) {
                const int bx = std::min(ox / 2 + x, cw - 1), by = std::min(oy / 2 + y, ch - 1);
                sad += std::abs(block(curAt, bx, by) - block(prevAt, std::clamp(ox / 2 + x + ux, 0, cw - 1),
                                                             std::clamp(oy / 2 + y + uy, 0, ch - 1)));
            }
        const float cost = vectorCost(sad / 16.f, 2 * ux, 2 * uy);
        if (cost < best) {
            best = cost;
            coarse = {2 * ux, 2 * uy};
        }
    }
    constexpr int kFineSide = 2 * kFineRadius + 1;
    best = 3e38f;
    Vector found{0, 0};
    for (int k = 0; k <= kFineSide * kFineSide; ++k) {
        const Vector v = k < kFineSide * kFineSide
                             ? Vector{coarse.x + k % kFineSide - kFineRadius, coarse.y + k / kFineSide - kFineRadius}
                             : Vector{0, 0};
        if (!inside(v.x, v.y))
            continue;
        float sad = 0;
        for (int y = 0; y < th; ++y)
            for (int x = 0; x < tw; ++x)
                sad += std::abs(luma[std::size_t(oy + y) * w + ox + x] - prevAt(ox + x + v.x, oy + y + v.y));
        const float cost = vectorCost(sad / float(tw * th), v.x, v.y);
        if (cost < best) {
            best = cost;
            found = v;
        }
    }
    return found;
}

std::vector<float> ReferenceSteady::nextAffine(std::span<const std::uint8_t> rgba, float gain, float offset)
{
    const std::size_t n = rgba.size() / 4;
    std::vector<float> luma(n), output(n * 3);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* p = &rgba[i * 4];
        luma[i] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
        for (int c = 0; c < 3; ++c)
            output[i * 3 + c] = gain * p[c] + offset;
    }
    next(luma, output);
    return output;
}

void ReferenceSteady::next(std::span<const float> luma, std::vector<float>& output)
{
    const int w = width_, h = height_;
    const std::size_t n = std::size_t(w) * h;
    if (luma.size() != n || output.size() != n * 3)
        throw std::invalid_argument("steady reference: a " + std::to_string(w) + "x" + std::to_string(h) +
                                    " frame takes " + std::to_string(n) + " luma values and " + std::to_string(n * 3) +
                                    " output values, got " + std::to_string(luma.size()) + " and " +
                                    std::to_string(output.size()));
    std::vector<float> mixed(output);
    if (!history_.empty()) {
        const int tilesX = (w + kTile - 1) / kTile, tilesY = (h + kTile - 1) / kTile;
        std::vector<Vector> vectors;
        for (int ty = 0; ty < tilesY; ++ty)
            for (int tx = 0; tx < tilesX; ++tx)
                vectors.push_back(motion(luma, tx, ty));
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const Vector v = vectors[std::size_t(y / kTile) * tilesX + x / kTile];
                const int sx = x + v.x, sy = y + v.y;
                if (sx < 0 || sy < 0 || sx >= w || sy >= h)
                    continue;  // its history would come from outside the frame: painted anew
                float d = 0, lo[3] = {3e38f, 3e38f, 3e38f}, hi[3] = {-3e38f, -3e38f, -3e38f};
                int count = 0;
                for (int qy = std::max(0, y - 1); qy <= std::min(h - 1, y + 1); ++qy)
                    for (int qx = std::max(0, x - 1); qx <= std::min(w - 1, x + 1); ++qx) {
                        d += std::abs(luma[std::size_t(qy) * w + qx] - prev(qx + v.x, qy + v.y));
                        for (int c = 0; c < 3; ++c) {
                            lo[c] = std::min(lo[c], output[(std::size_t(qy) * w + qx) * 3 + c]);
                            hi[c] = std::max(hi[c], output[(std::size_t(qy) * w + qx) * 3 + c]);
                        }
                        ++count;
                    }
                d /= float(count);
                const float keep = keep_ * std::exp(-(d / kSigma) * (d / kSigma));
                for (int c = 0; c < 3; ++c) {
                    const std::size_t k = (std::size_t(y) * w + x) * 3 + c;
                    const float past = history_[(std::size_t(sy) * w + sx) * 3 + c];
                    mixed[k] = output[k] + (std::clamp(past, lo[c], hi[c]) - output[k]) * keep;
                }
            }
    }
    history_ = mixed;
    prevLuma_.assign(luma.begin(), luma.end());
    output = std::move(mixed);
}

}  // namespace stylize::cpu
