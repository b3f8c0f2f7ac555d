// Reading RGBA8 images stored one pixel per uint, with bilinear sampling.
vec4 unpackPixel(uint v)
{
    return vec4(float(v & 0xffu), float((v >> 8) & 0xffu), float((v >> 16) & 0xffu), float(v >> 24));
}

uint packPixel(vec4 c)
{
    uvec4 u = uvec4(clamp(round(c), vec4(0.0), vec4(255.0)));
    return u.x | (u.y << 8) | (u.z << 16) | (u.w << 24);
}

// Bilinear sample (half-pixel centres, edges clamped) of pixel (x, y) of a dstW x dstH
// grid laid over an image of srcW x srcH; exact copy when the sizes match.
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
