// Network output tensor -> RGBA8 frame at the output size: crops the valid region,
// maps to 0..255, resamples bilinearly, then applies strength (mix with the original
// frame) and colour preservation (stylized luma with the original's chroma, BT.601).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "image.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;

layout(std430, binding = 0) readonly buffer Tensor { sfp4 tensor[]; };
layout(std430, binding = 1) readonly buffer Original { uint original[]; };
layout(std430, binding = 2) writeonly buffer Image { uint pixels[]; };

layout(push_constant) uniform P {
    int tensorW;          // row pitch of the tensor
    int validW, validH;   // the part of the tensor that is the image
    int origW, origH;     // the original frame
    int dstW, dstH;
    float scaleR, scaleG, scaleB, biasR, biasG, biasB;
    float strength;       // 1: all style, 0: the original frame
    int preserveColour;
} p;

vec4 fetchStylized(int x, int y)
{
    vec3 t = LOAD4(tensor, y * p.tensorW + x).rgb;
    return vec4(clamp(t * vec3(p.scaleR, p.scaleG, p.scaleB) + vec3(p.biasR, p.biasG, p.biasB),
                      vec3(0.0), vec3(255.0)), 255.0);
}

vec4 fetchOriginal(int x, int y) { return unpackPixel(original[y * p.origW + x]); }

const vec3 kLuma = vec3(0.299, 0.587, 0.114);

void main()
{
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.dstW || y >= p.dstH)
        return;
    vec4 s;
    if (p.validW == p.dstW && p.validH == p.dstH)
        s = fetchStylized(x, y);
    else
        SAMPLE_BILINEAR(fetchStylized, p.validW, p.validH, p.dstW, p.dstH, x, y, s)
    vec3 rgb = s.rgb;
    if (p.preserveColour != 0 || p.strength < 1.0) {
        vec4 o;
        if (p.origW == p.dstW && p.origH == p.dstH)
            o = fetchOriginal(x, y);
        else
            SAMPLE_BILINEAR(fetchOriginal, p.origW, p.origH, p.dstW, p.dstH, x, y, o)
        if (p.preserveColour != 0)
            rgb = o.rgb + vec3(dot(rgb - o.rgb, kLuma));  // keep chroma, take luma
        rgb = mix(o.rgb, rgb, p.strength);
    }
    pixels[y * p.dstW + x] = packPixel(vec4(rgb, 255.0));
}
