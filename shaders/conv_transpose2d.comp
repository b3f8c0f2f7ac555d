// Transposed convolution as a gather: output pixels of one phase (ox mod STRIDE) share
// the set of contributing taps, so an invocation computes PX same-phase pixels that read
// PX adjacent input pixels, and the phase lives in gl_GlobalInvocationID.z to keep a
// workgroup's lanes on the same taps.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 1) const int KH = 3;
layout(constant_id = 2) const int KW = 3;
layout(constant_id = 3) const int STRIDE = 2;
layout(constant_id = 4) const int RELU = 0;
layout(constant_id = 5) const int OC_BLOCK = 2;

#define PX 4

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Weights { sfp4 wts[]; };  // [oc4][ky][kx][ic4][4]
layout(std430, binding = 2) readonly buffer Bias { vec4 bias[]; };
layout(std430, binding = 3) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform Params {
    int inC4, inH, inW;
    int outC4, outH, outW;
    int padTop, padLeft;
} p;

void main()
{
    const int phase = int(gl_WorkGroupID.z) % STRIDE;
    const int oc0 = (int(gl_WorkGroupID.z) / STRIDE) * OC_BLOCK;  // uniform: scalar weight loads
    const int oy = int(gl_GlobalInvocationID.y);
    // Output columns phase, phase + STRIDE, ...; this invocation takes PX of them.
    const int col0 = int(gl_GlobalInvocationID.x) * PX;
    const int ox0 = phase + col0 * STRIDE;
    if (ox0 >= p.outW || oy >= p.outH)
        return;
    const int plane = p.inH * p.inW;

    vec4 acc[4][PX];
    for (int o = 0; o < OC_BLOCK; ++o) {
        vec4 b = bias[min(oc0 + o, p.outC4 - 1)];
        for (int j = 0; j < PX; ++j)
            acc[o][j] = b;
    }

    for (int ky = 0; ky < KH; ++ky) {
        const int ty = oy + p.padTop - ky;
        if (ty < 0 || ty % STRIDE != 0 || ty / STRIDE >= p.inH)
            continue;
        const int rowOffset = (ty / STRIDE) * p.inW;
        for (int kx = 0; kx < KW; ++kx) {
            // ox0 + j*STRIDE + padLeft - kx must be a non-negative multiple of STRIDE.
            const int tx = ox0 + p.padLeft - kx;
            if (((tx % STRIDE) + STRIDE) % STRIDE != 0)
                continue;
            const int ix0 = tx >= 0 ? tx / STRIDE : -((-tx) / STRIDE);
            int offset[PX];
            float keep[PX];
            bool allValid = true;
            for (int j = 0; j < PX; ++j) {
                const int ix = ix0 + j;
                const bool valid = ix >= 0 && ix < p.inW;
                allValid = allValid && valid;
                keep[j] = valid ? 1.0 : 0.0;
                offset[j] = rowOffset + clamp(ix, 0, p.inW - 1);
            }
            int wBase[4];
            for (int o = 0; o < OC_BLOCK; ++o)
                wBase[o] = (((min(oc0 + o, p.outC4 - 1) * KH + ky) * KW + kx) * p.inC4) * 4;
            for (int ic = 0; ic < p.inC4; ++ic) {
                vec4 v[PX];
                const int icBase = ic * plane;
                for (int j = 0; j < PX; ++j)
                    v[j] = LOAD4(inp, icBase + offset[j]);
                if (!allValid)
                    for (int j = 0; j < PX; ++j)
                        v[j] *= keep[j];
                for (int o = 0; o < OC_BLOCK; ++o) {
                    const int wi = wBase[o] + ic * 4;
                    vec4 w0 = LOAD4(wts, wi), w1 = LOAD4(wts, wi + 1);
                    vec4 w2 = LOAD4(wts, wi + 2), w3 = LOAD4(wts, wi + 3);
                    for (int j = 0; j < PX; ++j)
                        acc[o][j] += w0 * v[j].x + w1 * v[j].y + w2 * v[j].z + w3 * v[j].w;
                }
            }
        }
    }

    for (int o = 0; o < OC_BLOCK; ++o) {
        if (oc0 + o >= p.outC4)
            break;
        const int outBase = ((oc0 + o) * p.outH + oy) * p.outW;
        for (int j = 0; j < PX; ++j) {
            const int ox = ox0 + j * STRIDE;
            if (ox >= p.outW)
                break;
            vec4 r = acc[o][j];
            if (RELU != 0)
                r = max(r, vec4(0.0));
            STORE4(outp, outBase + ox, r);
        }
    }
}
