// Mean luminance, in 0..255 pixel units, of the network's input image (which = 0,
// dispatched before the network: its buffer is reused by later layers) or of its output
// image (which = 1, after it), for the scene-light gain of tensor_to_frame.comp. One
// workgroup; it maps its tensor's values back to pixels (p = v * mul + add: the
// inverse of the model's input mapping, or its output mapping; clamped to 0..255 as the
// output is) and reduces the Rec. 601 luma over the tensor's valid width x height. The style
// network's instance norms take out its input's exposure, so this pair is what lets
// the output keep the scene's light.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int LOCAL_X = 256;  // read, never gl_WorkGroupSize (instance_norm_stats.comp)
#define MAX_LOCAL 256

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Output { sfp4 outp[]; };
layout(std430, binding = 2) writeonly buffer Means { float means[]; };  // [0] input, [1] output

layout(push_constant) uniform P {
    int which;             // 0: the input tensor into means[0], 1: the output tensor into means[1]
    int inW, outW;         // row pitches of the two tensors
    int validW, validH;    // the image part of both
    float inMul[3], inAdd[3];
    float outMul[3], outAdd[3];
} p;

#include "reduce.glsl"

const vec3 kLuma = vec3(0.299, 0.587, 0.114);

void main()
{
    const int which = p.which;
    const int lid = int(gl_LocalInvocationID.x);
    const int n = p.validW * p.validH;
    float sum = 0.0;
    if (which == 0) {
        const vec3 mul = vec3(p.inMul[0], p.inMul[1], p.inMul[2]), add = vec3(p.inAdd[0], p.inAdd[1], p.inAdd[2]);
        for (int i = lid; i < n; i += LOCAL_X) {
            const vec3 x = LOAD4(inp, (i / p.validW) * p.inW + i % p.validW).rgb;
            sum += dot(clamp(x * mul + add, vec3(0.0), vec3(255.0)), kLuma);
        }
    } else {
        const vec3 mul = vec3(p.outMul[0], p.outMul[1], p.outMul[2]), add = vec3(p.outAdd[0], p.outAdd[1], p.outAdd[2]);
        for (int i = lid; i < n; i += LOCAL_X) {
            const vec3 t = LOAD4(outp, (i / p.validW) * p.outW + i % p.validW).rgb;
            sum += dot(clamp(t * mul + add, vec3(0.0), vec3(255.0)), kLuma);
        }
    }
    vec4 s = vec4(sum, 0.0, 0.0, 0.0), unused = vec4(0.0);
    workgroupSum2(s, unused, lid);
    if (lid == 0)
        means[which] = s.x / float(max(n, 1));
}
