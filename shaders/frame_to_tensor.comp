// Video frame (RGBA8, YUV420P, NV12 or YUYV422 as uploaded) -> the network's input
// tensor at the processing size: colour conversion, resampling when the sizes differ
// (area averaging to reduce, bilinear to enlarge: image.glsl), and the model's input
// value mapping, in one pass.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int LAYOUT = 0;
layout(constant_id = 3) const int MATRIX = 1;
layout(constant_id = 4) const int RANGE = 0;

layout(std430, binding = 0) readonly buffer Frame { uint frameData[]; };
layout(std430, binding = 1) writeonly buffer Output { sfp4 outp[]; };

#define FRAME_DATA(i) frameData[i]
#include "frame.glsl"
#include "image.glsl"

layout(push_constant) uniform P {
    int srcW, srcH, dstW, dstH;
    float scaleR, scaleG, scaleB, biasR, biasG, biasB;
} p;

vec4 fetchSource(int x, int y) { return fetchFramePixel(LAYOUT, MATRIX, RANGE, p.srcW, p.srcH, x, y); }

void main()
{
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.dstW || y >= p.dstH)
        return;
    vec4 c;
    if (p.srcW == p.dstW && p.srcH == p.dstH)
        c = fetchSource(x, y);
    else
        SAMPLE_AREA(fetchSource, p.srcW, p.srcH, p.dstW, p.dstH, x, y, c)
    vec3 mapped = c.rgb * vec3(p.scaleR, p.scaleG, p.scaleB) + vec3(p.biasR, p.biasG, p.biasB);
    STORE4(outp, y * p.dstW + x, vec4(mapped, 0.0));
}
