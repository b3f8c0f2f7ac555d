// RGBA8 frame -> the network's input tensor (one channel pack) at the processing size,
// resampled bilinearly when the sizes differ and mapped into the model's input range.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "image.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;

layout(std430, binding = 0) readonly buffer Image { uint pixels[]; };
layout(std430, binding = 1) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform P {
    int srcW, srcH, dstW, dstH;
    float scaleR, scaleG, scaleB, biasR, biasG, biasB;
} p;

vec4 fetchSource(int x, int y) { return unpackPixel(pixels[y * p.srcW + x]); }

void main()
{
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.dstW || y >= p.dstH)
        return;
    vec4 c;
    if (p.srcW == p.dstW && p.srcH == p.dstH)
        c = fetchSource(x, y);
    else
        SAMPLE_BILINEAR(fetchSource, p.srcW, p.srcH, p.dstW, p.dstH, x, y, c)
    vec3 mapped = c.rgb * vec3(p.scaleR, p.scaleG, p.scaleB) + vec3(p.biasR, p.biasG, p.biasB);
    STORE4(outp, y * p.dstW + x, vec4(mapped, 0.0));
}
