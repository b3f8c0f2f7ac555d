// Instance norm, stage 1: one workgroup per channel pack reduces mean and variance over
// the plane (or, with SLICES > 1, over the partial sums instance_norm_partial.comp made
// of its slices) and folds them with the blended scale/shift into y = x * a + b.
// Sums are taken around the plane's first value, which keeps E[x^2] - E[x]^2 from
// cancelling catastrophically on large activations.
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef STYLIZE_SUBGROUP_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
// The same specialization constant as the local size: code must not read
// gl_WorkGroupSize: with the size set by id, indices computed from it came out
// wrong on lavapipe (Mesa 22.3) here.
layout(constant_id = 0) const int LOCAL_X = 64;
layout(constant_id = 1) const int SLICES = 1;  // > 1: the plane was summed in slices
#define MAX_LOCAL 256

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Params { vec4 scaleShift[]; };  // [c4][2]: scale, shift
layout(std430, binding = 2) writeonly buffer Coefficients { vec4 coef[]; };  // [c4][2]: a, b
layout(std430, binding = 3) readonly buffer Partials { vec4 partial[]; };    // [c4][SLICES][2]

layout(push_constant) uniform P {
    int c4, hw;
    float epsilon;
} p;

#include "reduce.glsl"

void main()
{
    const int c = int(gl_WorkGroupID.x);
    const int lid = int(gl_LocalInvocationID.x);
    const int n = LOCAL_X;
    const int base = c * p.hw;
    const vec4 shift = LOAD4(inp, base);
    vec4 s = vec4(0.0), sq = vec4(0.0);
    if (SLICES > 1) {
        for (int i = lid; i < SLICES; i += n) {
            s += partial[(c * SLICES + i) * 2];
            sq += partial[(c * SLICES + i) * 2 + 1];
        }
    } else {
        for (int i = lid; i < p.hw; i += n) {
            vec4 d = LOAD4(inp, base + i) - shift;
            s += d;
            sq += d * d;
        }
    }
    workgroupSum2(s, sq, lid);
    if (lid == 0) {
        const float count = float(p.hw);
        vec4 meanShifted = s / count;
        vec4 variance = max(sq / count - meanShifted * meanShifted, vec4(0.0));
        vec4 mean = meanShifted + shift;
        vec4 a = scaleShift[c * 2] * inversesqrt(variance + p.epsilon);
        coef[c * 2] = a;
        coef[c * 2 + 1] = scaleShift[c * 2 + 1] - mean * a;
    }
}
