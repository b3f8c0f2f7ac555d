// Resampling shared by the frame conversion shaders.

// Resampling without aliasing (FFmpeg's "area"): where the grid is coarser than the image,
// pixel (x, y) is the mean of the image over its footprint, each source pixel weighted by
// how much of it the footprint covers; where it is finer, the two bilinear taps. A
// bilinear sample of a 4x reduction reads 4 of the 16 pixels under it, so fine detail
// aliases and shimmers as the camera moves (docs/steady.md: the warping error of the
// light wave on a 1280x720 clip painted at 320x180, 7.29 -> 7.05). `fetch(x, y)` returns
// a vec4; half-pixel centres, edges clamped.
// One axis: taps [first, end) of `pos` on an axis of `dst` cells over `src` pixels, and
// tap i's weight (the weights sum to 1).
struct AreaAxis {
    int first, end;
    float from, to;  // the footprint in source pixels (a reduction), or
    float frac;      // the bilinear fraction (an enlargement: from < 0)
};

AreaAxis areaAxis(int pos, int src, int dst)
{
    AreaAxis a;
    if (src > dst) {
        const float s = float(src) / float(dst);
        a.from = float(pos) * s;
        a.to = min(float(pos + 1) * s, float(src));
        a.first = int(floor(a.from));
        a.end = min(int(ceil(a.to)), src);
        a.frac = 0.0;
    } else {
        const float f = clamp((float(pos) + 0.5) * float(src) / float(dst) - 0.5, 0.0, float(src - 1));
        a.first = int(floor(f));
        a.end = a.first + 2;
        a.frac = f - float(a.first);
        a.from = -1.0;
        a.to = 0.0;
    }
    return a;
}

float areaWeight(AreaAxis a, int i)
{
    if (a.from >= 0.0)
        return (min(float(i + 1), a.to) - max(float(i), a.from)) / (a.to - a.from);
    return i == a.first ? 1.0 - a.frac : a.frac;
}

#define SAMPLE_AREA(fetch, srcW, srcH, dstW, dstH, x, y, result)                        \
    {                                                                                   \
        const AreaAxis ax_ = areaAxis(x, srcW, dstW), ay_ = areaAxis(y, srcH, dstH);    \
        result = vec4(0.0);                                                             \
        for (int sy_ = ay_.first; sy_ < ay_.end; ++sy_) {                               \
            const float wy_ = areaWeight(ay_, sy_);                                     \
            if (wy_ == 0.0)                                                             \
                continue;                                                               \
            for (int sx_ = ax_.first; sx_ < ax_.end; ++sx_) {                           \
                const float wx_ = areaWeight(ax_, sx_);                                 \
                if (wx_ != 0.0)                                                         \
                    result += wx_ * wy_ * fetch(min(sx_, srcW - 1), min(sy_, srcH - 1)); \
            }                                                                           \
        }                                                                               \
    }
