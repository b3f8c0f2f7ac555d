// Nearest 2x upsampling of a packed tensor (used where it cannot be folded into a conv).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
// The same specialization constant as the local size: code must not read
// gl_WorkGroupSize: with the size set by id, indices computed from it came out
// wrong on lavapipe (Mesa 22.3) here.
layout(constant_id = 0) const int LOCAL_X = 64;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform P {
    int c4, inH, inW;
} p;

void main()
{
    const int outW = p.inW * 2, outH = p.inH * 2;
    const int i = flatInvocation(LOCAL_X);
    if (i >= p.c4 * outH * outW)
        return;
    const int x = i % outW;
    const int y = (i / outW) % outH;
    const int c = i / (outW * outH);
    STORE4(outp, i, LOAD4(inp, (c * p.inH + y / 2) * p.inW + x / 2));
}
