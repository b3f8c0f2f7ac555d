// Element-wise maps over a packed tensor: ReLU, tanh, sigmoid, affine, clamp and add.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
// The same specialization constant as the local size: code must not read
// gl_WorkGroupSize: with the size set by id, indices computed from it came out
// wrong on lavapipe (Mesa 22.3) here.
layout(constant_id = 0) const int LOCAL_X = 64;
layout(constant_id = 1) const int OP = 0;  // 0 relu, 1 tanh, 2 sigmoid, 3 affine, 4 clamp, 5 add

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Other { sfp4 other[]; };
layout(std430, binding = 2) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform P {
    int count;
    float a, b;  // affine: scale, bias; clamp: lo, hi
} p;

void main()
{
    const int i = flatInvocation(LOCAL_X);
    if (i >= p.count)
        return;
    vec4 x = LOAD4(inp, i);
    vec4 y;
    if (OP == 0)
        y = max(x, vec4(0.0));
    else if (OP == 1)
        y = tanh(clamp(x, vec4(-15.0), vec4(15.0)));  // tanh overflows to NaN on some drivers
    else if (OP == 2)
        y = 1.0 / (1.0 + exp(-x));
    else if (OP == 3)
        y = x * p.a + p.b;
    else if (OP == 4)
        y = clamp(x, vec4(p.a), vec4(p.b));
    else
        y = x + LOAD4(other, i);
    STORE4(outp, i, y);
}
