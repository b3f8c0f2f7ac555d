// Mean luminance, in 0..255 pixel units, of the network's input image (which = 0,
// dispatched before the network: its buffer is reused by later layers) or of its output
// image (which = 1, after it), for the scene-light gain of tensor_to_frame.comp. It maps
// its tensor's values back to pixels (p = v * mul + add: the inverse of the model's input
// mapping, or its output mapping; clamped to 0..255 as the output is) and reduces the
// Rec. 601 luma over the tensor's valid width x height, in two stages so that a 720p image
// is read by many workgroups at once (as instance_norm_partial.comp does for a plane):
//  - stage 0, one workgroup per slice of `chunk` pixels: the slice's sum into
//    means[2 + which * maxSlices + slice];
//  - stage 1, one workgroup: the slices' sums, divided by the pixel count, into means[which].
// The style network's instance norms take out its input's exposure, so this pair of means
// is what lets the output keep the scene's light.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int LOCAL_X = 256;  // read, never gl_WorkGroupSize (instance_norm_stats.comp)
#define MAX_LOCAL 256

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Output { sfp4 outp[]; };
// [0] input, [1] output, then maxSlices partial sums for each.
layout(std430, binding = 2) buffer Means { float means[]; };

layout(push_constant) uniform P {
    int which;             // 0: the input tensor into means[0], 1: the output tensor into means[1]
    int stage;             // 0: slice sums, 1: their total
    int slices, chunk, maxSlices;
    int inW, outW;         // row pitches of the two tensors
    int validW, validH;    // the image part of both
    float inMul[3], inAdd[3];
    float outMul[3], outAdd[3];
} p;

#include "reduce.glsl"

const vec3 kLuma = vec3(0.299, 0.587, 0.114);

float sliceSum(int lid)
{
    const int n = p.validW * p.validH;
    const int begin = int(gl_WorkGroupID.x) * p.chunk, end = min(n, begin + p.chunk);
    // The input's mapping undone, or the output's applied: one uniform choice per dispatch.
    const bool scene = p.which == 0;
    const vec3 mul = scene ? vec3(p.inMul[0], p.inMul[1], p.inMul[2]) : vec3(p.outMul[0], p.outMul[1], p.outMul[2]);
    const vec3 add = scene ? vec3(p.inAdd[0], p.inAdd[1], p.inAdd[2]) : vec3(p.outAdd[0], p.outAdd[1], p.outAdd[2]);
    const int pitch = scene ? p.inW : p.outW;
    float sum = 0.0;
    for (int i = begin + lid; i < end; i += LOCAL_X) {
        const int at = (i / p.validW) * pitch + i % p.validW;
        const vec3 v = scene ? LOAD4(inp, at).rgb : LOAD4(outp, at).rgb;
        sum += dot(clamp(v * mul + add, vec3(0.0), vec3(255.0)), kLuma);
    }
    return sum;
}

void main()
{
    const int lid = int(gl_LocalInvocationID.x);
    const int partials = 2 + p.which * p.maxSlices;
    float sum = 0.0;
    if (p.stage == 0) {
        sum = sliceSum(lid);
    } else {
        for (int s = lid; s < p.slices; s += LOCAL_X)
            sum += means[partials + s];
    }
    vec4 s = vec4(sum, 0.0, 0.0, 0.0), unused = vec4(0.0);
    workgroupSum2(s, unused, lid);
    if (lid == 0) {
        if (p.stage == 0)
            means[partials + int(gl_WorkGroupID.x)] = s.x;
        else
            means[p.which] = s.x / float(max(p.validW * p.validH, 1));
    }
}
