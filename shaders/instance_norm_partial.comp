// Instance norm, stage 0 for large planes: workgroup (slice, pack) sums one slice of the
// plane (around the plane's first value, as stage 1 does) into partial sums, so a 720p
// plane is reduced by many workgroups at once instead of one per channel pack.
#version 450
#extension GL_GOOGLE_include_directive : require
#ifdef STYLIZE_SUBGROUP_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int LOCAL_X = 64;  // see instance_norm_stats.comp
#define MAX_LOCAL 256

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) writeonly buffer Partials { vec4 partial[]; };  // [c4][slices][2]: sum, sum of squares

layout(push_constant) uniform P {
    int c4, hw, slices, chunk;
} p;

#include "reduce.glsl"

void main()
{
    const int slice = int(gl_WorkGroupID.x);
    const int c = int(gl_WorkGroupID.y);
    const int lid = int(gl_LocalInvocationID.x);
    const int base = c * p.hw;
    const vec4 shift = LOAD4(inp, base);
    const int begin = slice * p.chunk, end = min(p.hw, begin + p.chunk);
    vec4 s = vec4(0.0), sq = vec4(0.0);
    for (int i = begin + lid; i < end; i += LOCAL_X) {
        vec4 d = LOAD4(inp, base + i) - shift;
        s += d;
        sq += d * d;
    }
    workgroupSum2(s, sq, lid);
    if (lid == 0) {
        partial[(c * p.slices + slice) * 2] = s;
        partial[(c * p.slices + slice) * 2 + 1] = sq;
    }
}
