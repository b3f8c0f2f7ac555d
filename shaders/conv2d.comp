// Direct convolution, register-blocked: each invocation computes PX adjacent output
// pixels of OC_BLOCK channel packs, looping taps outside and input packs inside so the
// padding/upsampling index math runs once per tap, not once per multiply-add.
// With STYLIZE_FP16_MATH (shader conv2d_f16, fp16 storage on devices with shaderFloat16)
// the four multiply-adds of each input pack run as packed half math on the stored
// f16vec4 values and their sum is added to fp32 accumulators: half the multiply cost
// where fp16 runs at twice the fp32 rate, and the long sums (K = 1152 in the residual
// blocks) keep fp32 precision.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int KH = 3;
layout(constant_id = 3) const int KW = 3;
layout(constant_id = 4) const int STRIDE = 1;
layout(constant_id = 5) const int REFLECT = 0;   // 0: zero padding, 1: reflection
layout(constant_id = 6) const int UPSAMPLE = 0;  // 1: input read as if 2x nearest-upsampled
layout(constant_id = 7) const int RELU = 0;
layout(constant_id = 8) const int OC_BLOCK = 2;  // output packs per invocation, 1..4

#define PX 4

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Weights { sfp4 wts[]; };  // [oc4][ky][kx][ic4][4]
layout(std430, binding = 2) readonly buffer Bias { vec4 bias[]; };     // [oc4]
layout(std430, binding = 3) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform Params {
    int inC4, inH, inW;  // stored input (before upsampling)
    int outC4, outH, outW;
    int padTop, padLeft;
} p;

void main()
{
    const int ox0 = int(gl_GlobalInvocationID.x) * PX;
    const int oy = int(gl_GlobalInvocationID.y);
    const int oc0 = int(gl_WorkGroupID.z) * OC_BLOCK;  // workgroup-uniform: weight loads become scalar
    if (ox0 >= p.outW || oy >= p.outH)
        return;
    const int virtH = UPSAMPLE != 0 ? p.inH * 2 : p.inH;
    const int virtW = UPSAMPLE != 0 ? p.inW * 2 : p.inW;
    const int plane = p.inH * p.inW;

    vec4 acc[4][PX];
    for (int o = 0; o < OC_BLOCK; ++o) {
        vec4 b = bias[min(oc0 + o, p.outC4 - 1)];
        for (int j = 0; j < PX; ++j)
            acc[o][j] = b;
    }

    for (int ky = 0; ky < KH; ++ky) {
        int vy = oy * STRIDE + ky - p.padTop;
        bool rowValid = vy >= 0 && vy < virtH;
        vy = REFLECT != 0 ? reflectIndex(vy, virtH) : clamp(vy, 0, virtH - 1);
        const int rowOffset = (UPSAMPLE != 0 ? vy >> 1 : vy) * p.inW;
        for (int kx = 0; kx < KW; ++kx) {
            int offset[PX];
            float keep[PX];
            bool allValid = REFLECT != 0 || rowValid;
            for (int j = 0; j < PX; ++j) {
                int vx = (ox0 + j) * STRIDE + kx - p.padLeft;
                bool valid = vx >= 0 && vx < virtW;
                allValid = allValid && valid;
                keep[j] = (REFLECT != 0 || (rowValid && valid)) ? 1.0 : 0.0;
                vx = REFLECT != 0 ? reflectIndex(vx, virtW) : clamp(vx, 0, virtW - 1);
                offset[j] = rowOffset + (UPSAMPLE != 0 ? vx >> 1 : vx);
            }
            int wBase[4];
            for (int o = 0; o < OC_BLOCK; ++o)
                wBase[o] = (((min(oc0 + o, p.outC4 - 1) * KH + ky) * KW + kx) * p.inC4) * 4;
#if defined(STYLIZE_FP16_MATH) && defined(STYLIZE_FP16_STORAGE)
            for (int ic = 0; ic < p.inC4; ++ic) {
                f16vec4 v[PX];
                const int icBase = ic * plane;
                for (int j = 0; j < PX; ++j)
                    v[j] = inp[icBase + offset[j]];
                if (!allValid)
                    for (int j = 0; j < PX; ++j)
                        v[j] *= float16_t(keep[j]);
                for (int o = 0; o < OC_BLOCK; ++o) {
                    const int wi = wBase[o] + ic * 4;
                    const f16vec4 w0 = wts[wi], w1 = wts[wi + 1], w2 = wts[wi + 2], w3 = wts[wi + 3];
                    for (int j = 0; j < PX; ++j)
                        acc[o][j] += vec4(w0 * v[j].x + w1 * v[j].y + w2 * v[j].z + w3 * v[j].w);
                }
            }
#else
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
#endif
        }
    }

    for (int o = 0; o < OC_BLOCK; ++o) {
        if (oc0 + o >= p.outC4)
            break;
        const int outBase = ((oc0 + o) * p.outH + oy) * p.outW;
        for (int j = 0; j < PX; ++j) {
            if (ox0 + j >= p.outW)
                break;
            vec4 r = acc[o][j];
            if (RELU != 0)
                r = max(r, vec4(0.0));
            STORE4(outp, outBase + ox0 + j, r);
        }
    }
}
