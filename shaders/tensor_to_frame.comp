// Network output tensor -> video frame at the output size, in RGBA8 (for the view) or
// the encoder's YUV420P / NV12: crops the valid region, maps to 0..255, resamples
// (area averaging to reduce, bilinear to enlarge: image.glsl), applies the scene light (a gain that gives the stylized frame the scene's
// mean luminance, from luma_mean.comp), strength (mix with the original frame) and
// colour preservation (stylized luma with the original's chroma). Each invocation owns an 8x2 pixel block
// so every plane is written in whole uints, without races between invocations.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int IN_LAYOUT = 0;   // the original frame
layout(constant_id = 3) const int IN_MATRIX = 1;
layout(constant_id = 4) const int IN_RANGE = 0;
layout(constant_id = 5) const int OUT_LAYOUT = 0;  // 0 RGBA8, 1 YUV420P, 2 NV12
layout(constant_id = 6) const int OUT_MATRIX = 1;
layout(constant_id = 7) const int OUT_RANGE = 0;

layout(std430, binding = 0) readonly buffer Tensor { sfp4 tensor[]; };
layout(std430, binding = 1) readonly buffer Original { uint frameData[]; };
layout(std430, binding = 2) writeonly buffer Result { uint result[]; };
layout(std430, binding = 3) readonly buffer LumaMeans { float lumaMeans[]; };  // input, output; read if sceneLight > 0

#define FRAME_DATA(i) frameData[i]
#include "frame.glsl"
#include "image.glsl"

layout(push_constant) uniform P {
    int tensorW;         // row pitch of the tensor
    int validW, validH;  // the part of the tensor that is the image
    int origW, origH;    // the original frame
    int dstW, dstH;
    float scaleR, scaleG, scaleB, biasR, biasG, biasB;
    float strength;      // 1: all style, 0: the original frame
    int preserveColour;
    float sceneLight;    // 0: the painting's light, 1: the scene's mean luminance
} p;

float sceneGain = 1.0;  // set once per invocation in main()

vec4 fetchStylized(int x, int y)
{
    vec3 t = LOAD4(tensor, y * p.tensorW + x).rgb;
    return vec4(clamp(t * vec3(p.scaleR, p.scaleG, p.scaleB) + vec3(p.biasR, p.biasG, p.biasB), vec3(0.0),
                      vec3(255.0)), 255.0);
}

vec4 fetchOriginal(int x, int y) { return fetchFramePixel(IN_LAYOUT, IN_MATRIX, IN_RANGE, p.origW, p.origH, x, y); }

const vec3 kLuma = vec3(0.299, 0.587, 0.114);

vec3 outputPixel(int x, int y)
{
    x = min(x, p.dstW - 1);  // padding pixels repeat the edge
    y = min(y, p.dstH - 1);
    vec4 s;
    if (p.validW == p.dstW && p.validH == p.dstH)
        s = fetchStylized(x, y);
    else
        SAMPLE_AREA(fetchStylized, p.validW, p.validH, p.dstW, p.dstH, x, y, s)
    vec3 rgb = min(s.rgb * sceneGain, vec3(255.0));
    if (p.preserveColour != 0 || p.strength < 1.0) {
        vec4 o;
        if (p.origW == p.dstW && p.origH == p.dstH)
            o = fetchOriginal(x, y);
        else
            SAMPLE_AREA(fetchOriginal, p.origW, p.origH, p.dstW, p.dstH, x, y, o)
        if (p.preserveColour != 0)
            rgb = o.rgb + vec3(dot(rgb - o.rgb, kLuma));  // keep chroma, take luma
        rgb = mix(o.rgb, rgb, p.strength);
    }
    return clamp(rgb, vec3(0.0), vec3(255.0));
}

uint packBytes(vec4 b)
{
    uvec4 u = uvec4(clamp(round(b), vec4(0.0), vec4(255.0)));
    return u.x | (u.y << 8) | (u.z << 16) | (u.w << 24);
}

void main()
{
    const int bx = int(gl_GlobalInvocationID.x) * 8, by = int(gl_GlobalInvocationID.y) * 2;
    if (bx >= p.dstW || by >= p.dstH)
        return;
    if (p.sceneLight > 0.0)  // half a grey level at least: a black frame or render divides by nothing
        sceneGain = pow(max(lumaMeans[0], 0.5) / max(lumaMeans[1], 0.5), p.sceneLight);
    if (OUT_LAYOUT == 0) {
        const int stride = planeStride(0, 0, p.dstW) / 4;
        for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 8; ++dx)
                result[(by + dy) * stride + bx + dx] = packBytes(vec4(outputPixel(bx + dx, by + dy), 255.0));
        return;
    }
    vec3 yuv[2][8];
    for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 8; ++dx)
            yuv[dy][dx] = rgbToYuv(outputPixel(bx + dx, by + dy), OUT_MATRIX, OUT_RANGE);
    const int yStride = planeStride(OUT_LAYOUT, 0, p.dstW);
    for (int dy = 0; dy < 2; ++dy)
        for (int q = 0; q < 2; ++q)
            result[((by + dy) * yStride + bx) / 4 + q] =
                packBytes(vec4(yuv[dy][q * 4].x, yuv[dy][q * 4 + 1].x, yuv[dy][q * 4 + 2].x, yuv[dy][q * 4 + 3].x));
    // Chroma: the average of each 2x2 block (MPEG-2 style siting, what swscale does by default).
    vec2 c[4];
    for (int k = 0; k < 4; ++k)
        c[k] = (yuv[0][2 * k].yz + yuv[0][2 * k + 1].yz + yuv[1][2 * k].yz + yuv[1][2 * k + 1].yz) * 0.25;
    const int cy = by / 2;
    if (OUT_LAYOUT == 1) {
        const int uRow = planeOffset(1, 1, p.dstW, p.dstH) + cy * planeStride(1, 1, p.dstW);
        const int vRow = planeOffset(1, 2, p.dstW, p.dstH) + cy * planeStride(1, 2, p.dstW);
        result[(uRow + bx / 2) / 4] = packBytes(vec4(c[0].x, c[1].x, c[2].x, c[3].x));
        result[(vRow + bx / 2) / 4] = packBytes(vec4(c[0].y, c[1].y, c[2].y, c[3].y));
    } else {
        const int uvRow = planeOffset(2, 1, p.dstW, p.dstH) + cy * planeStride(2, 1, p.dstW);
        result[(uvRow + bx) / 4] = packBytes(vec4(c[0].x, c[0].y, c[1].x, c[1].y));
        result[(uvRow + bx) / 4 + 1] = packBytes(vec4(c[2].x, c[2].y, c[3].x, c[3].y));
    }
}
