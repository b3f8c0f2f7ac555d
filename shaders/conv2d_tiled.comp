// Tiled convolution for GPUs: a workgroup of 8x8 invocations computes a tile of
// (8 * PX) x 8 output pixels x OC_BLOCK output packs. For each step of ICC input packs
// it stages the tile's input window (the taps' halo included, padding and upsampling
// resolved) and that step's weights in shared memory once; every invocation then reads
// each staged input for every tap that touches it and every output pack of the block,
// instead of fetching it from global memory again per tap (conv2d.comp).
// With STYLIZE_FP16_MATH (shader conv2d_tiled_f16, fp16 storage on devices with
// shaderFloat16) the staged tiles are f16vec4 (half the shared memory per step, so twice
// the input packs staged per step) and the four multiply-adds of each input pack run as
// packed half math, their sum added to fp32 accumulators, as in conv2d_f16.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(constant_id = 0) const int KH = 3;
layout(constant_id = 1) const int KW = 3;
layout(constant_id = 2) const int STRIDE = 1;
layout(constant_id = 3) const int REFLECT = 0;   // 0: zero padding, 1: reflection
layout(constant_id = 4) const int UPSAMPLE = 0;  // 1: input read as if 2x nearest-upsampled
layout(constant_id = 5) const int RELU = 0;
layout(constant_id = 6) const int OC_BLOCK = 4;  // output packs per workgroup, 1..4
layout(constant_id = 7) const int PX = 4;        // adjacent output pixels per invocation, 1..4
layout(constant_id = 8) const int ICC = 2;       // input packs staged per step

const int TILE_W = 8 * PX;
const int TILE_H = 8;
const int PATCH_W = (TILE_W - 1) * STRIDE + KW;
const int PATCH_H = (TILE_H - 1) * STRIDE + KH;
const int PATCH = PATCH_W * PATCH_H;
const int WEIGHTS = OC_BLOCK * KH * KW * ICC * 4;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) readonly buffer Weights { sfp4 wts[]; };  // [oc4][ky][kx][ic4][4], as conv2d.comp
layout(std430, binding = 2) readonly buffer Bias { vec4 bias[]; };     // [oc4]
layout(std430, binding = 3) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform Params {
    int inC4, inH, inW;  // stored input (before upsampling)
    int outC4, outH, outW;
    int padTop, padLeft;
} p;

#if defined(STYLIZE_FP16_MATH) && defined(STYLIZE_FP16_STORAGE)
#define tile4 f16vec4
#define STAGE4(buf, i) buf[i]
#define PACK_SUM(w0, w1, w2, w3, v) vec4(w0 * v.x + w1 * v.y + w2 * v.z + w3 * v.w)
#else
#define tile4 vec4
#define STAGE4(buf, i) LOAD4(buf, i)
#define PACK_SUM(w0, w1, w2, w3, v) (w0 * v.x + w1 * v.y + w2 * v.z + w3 * v.w)
#endif

shared tile4 sIn[ICC * PATCH];  // [c][patch row][patch column]
shared tile4 sW[WEIGHTS];       // [o][ky][kx][c][4]

// A coordinate of the (virtual, upsampled) input, resolved to a stored one; keep is 0
// where zero padding applies. Tiles past the right/bottom edge clamp as well.
int resolve(int v, int extent, inout float keep)
{
    if (REFLECT == 0 && (v < 0 || v >= extent))
        keep = 0.0;
    v = REFLECT != 0 ? clamp(reflectIndex(v, extent), 0, extent - 1) : clamp(v, 0, extent - 1);
    return UPSAMPLE != 0 ? v >> 1 : v;
}

void main()
{
    const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);
    const int lid = ly * 8 + lx;
    const int tileX = int(gl_WorkGroupID.x) * TILE_W, tileY = int(gl_WorkGroupID.y) * TILE_H;
    const int oc0 = int(gl_WorkGroupID.z) * OC_BLOCK;
    const int virtH = UPSAMPLE != 0 ? p.inH * 2 : p.inH;
    const int virtW = UPSAMPLE != 0 ? p.inW * 2 : p.inW;
    const int plane = p.inH * p.inW;
    const int originY = tileY * STRIDE - p.padTop, originX = tileX * STRIDE - p.padLeft;
    const int oy = tileY + ly, ox0 = tileX + lx * PX;

    vec4 acc[4][4];
    for (int o = 0; o < OC_BLOCK; ++o) {
        const vec4 b = bias[min(oc0 + o, p.outC4 - 1)];
        for (int j = 0; j < PX; ++j)
            acc[o][j] = b;
    }

    for (int ic0 = 0; ic0 < p.inC4; ic0 += ICC) {
        barrier();  // the previous step's reads are done
        for (int i = lid; i < ICC * PATCH; i += 64) {
            const int c = i / PATCH, r = i - c * PATCH;
            const int py = r / PATCH_W, px = r - py * PATCH_W;
            float keep = ic0 + c < p.inC4 ? 1.0 : 0.0;
            const int sy = resolve(originY + py, virtH, keep);
            const int sx = resolve(originX + px, virtW, keep);
            tile4 v = tile4(0.0);
            if (keep != 0.0)
                v = STAGE4(inp, (ic0 + c) * plane + sy * p.inW + sx);
            sIn[i] = v;
        }
        for (int i = lid; i < WEIGHTS; i += 64) {
            const int lane = i & 3;
            int t = i >> 2;
            const int c = t % ICC;
            t /= ICC;
            const int tap = t % (KH * KW), o = t / (KH * KW);
            const int oc = min(oc0 + o, p.outC4 - 1), ic = ic0 + c;
            tile4 w = tile4(0.0);
            if (ic < p.inC4)
                w = STAGE4(wts, ((oc * KH * KW + tap) * p.inC4 + ic) * 4 + lane);
            sW[i] = w;
        }
        barrier();  // this step's tiles are staged

        const int steps = min(ICC, p.inC4 - ic0);
        for (int c = 0; c < steps; ++c) {
            for (int ky = 0; ky < KH; ++ky) {
                const int row = c * PATCH + (ly * STRIDE + ky) * PATCH_W + lx * PX * STRIDE;
                for (int kx = 0; kx < KW; ++kx) {
                    tile4 v[4];
                    for (int j = 0; j < PX; ++j)
                        v[j] = sIn[row + j * STRIDE + kx];
                    for (int o = 0; o < OC_BLOCK; ++o) {
                        const int wi = (((o * KH + ky) * KW + kx) * ICC + c) * 4;
                        const tile4 w0 = sW[wi], w1 = sW[wi + 1], w2 = sW[wi + 2], w3 = sW[wi + 3];
                        for (int j = 0; j < PX; ++j)
                            acc[o][j] += PACK_SUM(w0, w1, w2, w3, v[j]);
                    }
                }
            }
        }
    }

    if (oy >= p.outH)
        return;
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
