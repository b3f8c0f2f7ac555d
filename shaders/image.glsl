// Bilinear resampling shared by the frame conversion shaders.

// Bilinear sample (half-pixel centres, edges clamped) of pixel (x, y) of a dstW x dstH
// grid laid over an image of srcW x srcH; `fetch(x, y)` returns a vec4.
#define SAMPLE_BILINEAR(fetch, srcW, srcH, dstW, dstH, x, y, result)                \
    {                                                                               \
        float fx = (float(x) + 0.5) * float(srcW) / float(dstW) - 0.5;              \
        float fy = (float(y) + 0.5) * float(srcH) / float(dstH) - 0.5;              \
        fx = clamp(fx, 0.0, float(srcW - 1));                                       \
        fy = clamp(fy, 0.0, float(srcH - 1));                                       \
        int x0 = int(floor(fx)), y0 = int(floor(fy));                               \
        int x1 = min(x0 + 1, srcW - 1), y1 = min(y0 + 1, srcH - 1);                 \
        float ax = fx - float(x0), ay = fy - float(y0);                             \
        vec4 top = mix(fetch(x0, y0), fetch(x1, y0), ax);                           \
        vec4 bottom = mix(fetch(x0, y1), fetch(x1, y1), ax);                        \
        result = mix(top, bottom, ay);                                              \
    }
