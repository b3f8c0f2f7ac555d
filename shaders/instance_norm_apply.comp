// Instance norm, stage 2: y = x * a + b per channel, with the residual add and ReLU that
// follow it in the network fused in (one pass over the tensor instead of three).
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
// The same specialization constant as the local size: code must not read
// gl_WorkGroupSize: with the size set by id, indices computed from it came out
// wrong on lavapipe (Mesa 22.3) here.
layout(constant_id = 0) const int LOCAL_X = 64;
layout(constant_id = 1) const int RELU = 0;
layout(constant_id = 2) const int RESIDUAL = 0;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Coefficients { vec4 coef[]; };
layout(std430, binding = 2) readonly buffer Residual { sfp4 res[]; };
layout(std430, binding = 3) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform P {
    int c4, hw;
} p;

void main()
{
    const int i = flatInvocation(LOCAL_X);
    if (i >= p.c4 * p.hw)
        return;
    const int c = i / p.hw;
    vec4 y = LOAD4(inp, i) * coef[c * 2] + coef[c * 2 + 1];
    if (RESIDUAL != 0)
        y += LOAD4(res, i);
    if (RELU != 0)
        y = max(y, vec4(0.0));
    STORE4(outp, i, y);
}
