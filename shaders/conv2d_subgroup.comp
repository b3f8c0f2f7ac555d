// Direct convolution for 16-wide subgroups (lavapipe with 512-bit vectors): the 16 lanes
// of a workgroup take 16 x PX consecutive output columns, each lane a PX x PY pixel tile
// of OC_BLOCK output packs, and the lanes share every weight load. Kernel width <= 9.
//
// Why: on lavapipe (Mesa 22.3) a load whose address is not provably constant, which is
// every load inside a loop, even a workgroup-uniform weight, becomes a 16-step loop over
// the lanes per scalar component; so does subgroupBroadcast (it searches for an active
// lane). Those loops, not the multiply-adds, set the speed. One vec4 load per lane
// fetches the 16 weight vec4s of 4 (output pack, input pack) pairs, broadcasts hand them
// out, and each broadcast scalar then feeds PX * PY multiply-adds per lane. Measured at
// 256x256: 1 pixel per lane was 2x slower than conv2d.comp, 16 pixels 2x faster, 32 no
// better (accumulators spill). On a GPU the pattern is a coalesced load plus shuffles.
#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#include "common.glsl"

// One workgroup is one subgroup: the broadcasts need all 16 lanes alive and together.
layout(local_size_x = 16, local_size_y = 1, local_size_z = 1) in;
layout(constant_id = 0) const int KH = 3;
layout(constant_id = 1) const int KW = 3;
layout(constant_id = 2) const int STRIDE = 1;
layout(constant_id = 3) const int REFLECT = 0;   // 0: zero padding, 1: reflection, 2: edge clamp
layout(constant_id = 4) const int UPSAMPLE = 0;  // 1: input read as if 2x nearest-upsampled
layout(constant_id = 5) const int RELU = 0;
layout(constant_id = 6) const int OC_BLOCK = 4;  // output packs per invocation: 1, 2 or 4
layout(constant_id = 7) const int PX = 4;        // adjacent output columns per lane, <= 4
layout(constant_id = 8) const int PY = 1;        // output rows per lane, PX * PY <= 16
// 1: "2x nearest upsample + 3x3 conv, padding 1" run as four 2x2 convs on the stored
// input, one per output phase (gl_WorkGroupID.z & 3 = 2 * row parity + column parity),
// with the summed weights the host packs phase-major: 16 multiply-adds per pixel and
// input pack instead of 36. Reflection of the upsampled image is an edge clamp of the
// stored one (REFLECT = 2). outH/outW are then the phase grid (the input size), KH = KW = 2.
layout(constant_id = 9) const int PHASES = 0;
// Each scalar weight costs a 16-step lane loop (a broadcast) whatever the tile, so the
// more pixels a lane computes per weight the better, even with accumulators spilled.
const int NPIX = PX * PY;

// A weight load covers 16 vec4 = 4 (output pack, input pack) pairs: OC_BLOCK output
// packs times IC_GROUP input packs.
const int IC_GROUP = 4 / OC_BLOCK;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
// [oc block][ky][kx][ic4 group][input pack g][output pack o][in lane j] vec4(out lanes),
// zero past the real channels; see packConvWeightsBlocked().
layout(std430, binding = 1) readonly buffer Weights { sfp4 wts[]; };
layout(std430, binding = 2) readonly buffer Bias { vec4 bias[]; };
layout(std430, binding = 3) writeonly buffer Output { sfp4 outp[]; };

layout(push_constant) uniform Params {
    int inC4, inH, inW;  // stored input (before upsampling)
    int outC4, outH, outW;
    int padTop, padLeft;
} p;

// Slot s of the 16-vec4 weight block: output pack s % OC_BLOCK, input pack s / OC_BLOCK,
// applied at tap column kx to every pixel of the tile. Lane ids must be constants,
// hence macros.
#define MAC_SLOT(s, kx)                                                                    \
    {                                                                                      \
        const int o = (s) % OC_BLOCK, g = (s) / OC_BLOCK;                                  \
        const vec4 w0 = subgroupBroadcast(w, (s) * 4), w1 = subgroupBroadcast(w, (s) * 4 + 1); \
        const vec4 w2 = subgroupBroadcast(w, (s) * 4 + 2), w3 = subgroupBroadcast(w, (s) * 4 + 3); \
        for (int r = 0; r < PY; ++r)                                                       \
            for (int i = 0; i < PX; ++i) {                                                 \
                const vec4 x = win[g][r][i * STRIDE + (kx)];                               \
                acc[o][r * PX + i] += w0 * x.x + w1 * x.y + w2 * x.z + w3 * x.w;           \
            }                                                                              \
    }
// One tap column: its weight block, then the four slots. Unrolled by hand (kx is a
// literal) so the window index stays constant and the window lives in registers.
#define TAP(kx)                                                                            \
    if ((kx) < KW) {                                                                       \
        const vec4 w = LOAD4(wts, wTap + (kx) * groups * 16);                              \
        MAC_SLOT(0, kx) MAC_SLOT(1, kx) MAC_SLOT(2, kx) MAC_SLOT(3, kx)                    \
    }

// A lane's PX columns are adjacent, so one row window of NW input columns serves all KW
// tap columns: 6 loads instead of 12 for 4 pixels of a 3x3 conv, 12 instead of 36 for a
// 9x9 one. Input loads cost as much as weight broadcasts here (see the top).
const int NW = (PX - 1) * STRIDE + KW;

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int ox0 = (int(gl_WorkGroupID.x) * 16 + lane) * PX;
    const int oy0 = int(gl_WorkGroupID.y) * PY;
    const int phase = PHASES != 0 ? int(gl_WorkGroupID.z) & 3 : 0;
    const int block = PHASES != 0 ? int(gl_WorkGroupID.z) >> 2 : int(gl_WorkGroupID.z);
    const int blocks = (p.outC4 + OC_BLOCK - 1) / OC_BLOCK;
    const int padTop = PHASES != 0 ? 1 - (phase >> 1) : p.padTop;
    const int padLeft = PHASES != 0 ? 1 - (phase & 1) : p.padLeft;
    const int oc0 = block * OC_BLOCK;
    const int virtH = UPSAMPLE != 0 ? p.inH * 2 : p.inH;
    const int virtW = UPSAMPLE != 0 ? p.inW * 2 : p.inW;
    const int plane = p.inH * p.inW;
    const int groups = (p.inC4 + IC_GROUP - 1) / IC_GROUP;

    // Lanes past the row's end still load weights for the others: they read clamped
    // columns and store nothing. No early return: broadcasts need every lane.
    int colOffset[16];
    bool colValid[16];
    for (int t = 0; t < NW; ++t) {
        int vx = min(ox0, p.outW - 1) * STRIDE + t - padLeft;
        colValid[t] = vx >= 0 && vx < virtW;
        vx = clamp(REFLECT == 1 ? reflectIndex(vx, virtW) : vx, 0, virtW - 1);
        colOffset[t] = UPSAMPLE != 0 ? vx >> 1 : vx;
    }

    vec4 acc[4][16];
    for (int o = 0; o < OC_BLOCK; ++o) {
        const vec4 b = bias[min(oc0 + o, p.outC4 - 1)];
        for (int j = 0; j < NPIX; ++j)
            acc[o][j] = b;
    }

    const int wBlock = (phase * blocks + block) * (KH * KW * groups * 16) + lane;
    for (int ky = 0; ky < KH; ++ky) {
        bool rowValid[16];
        int rowOffset[16];
        for (int r = 0; r < PY; ++r) {
            int vy = min(oy0 + r, p.outH - 1) * STRIDE + ky - padTop;
            rowValid[r] = vy >= 0 && vy < virtH;
            vy = clamp(REFLECT == 1 ? reflectIndex(vy, virtH) : vy, 0, virtH - 1);
            rowOffset[r] = (UPSAMPLE != 0 ? vy >> 1 : vy) * p.inW;
        }
        for (int q = 0; q < groups; ++q) {
            vec4 win[4][16][16];
            for (int g = 0; g < IC_GROUP; ++g) {
                // Packs past inC4 meet zero weights; read a real pack to stay finite.
                const int icBase = min(q * IC_GROUP + g, p.inC4 - 1) * plane;
                for (int r = 0; r < PY; ++r)
                    for (int t = 0; t < NW; ++t) {
                        const float keep = (REFLECT != 0 || (rowValid[r] && colValid[t])) ? 1.0 : 0.0;
                        win[g][r][t] = LOAD4(inp, icBase + rowOffset[r] + colOffset[t]) * keep;
                    }
            }
            const int wTap = wBlock + (ky * KW * groups + q) * 16;
            TAP(0) TAP(1) TAP(2) TAP(3) TAP(4) TAP(5) TAP(6) TAP(7) TAP(8)
        }
    }

    for (int o = 0; o < OC_BLOCK; ++o) {
        if (oc0 + o >= p.outC4)
            break;
        for (int r = 0; r < PY; ++r) {
            // Phase grids interleave into the 2x output: row 2y + row parity, etc.
            const int scale = PHASES != 0 ? 2 : 1;
            const int row = (oy0 + r) * scale + (phase >> 1);
            const int outBase = ((oc0 + o) * p.outH * scale + row) * p.outW * scale + (phase & 1);
            for (int i = 0; i < PX; ++i) {
                if (ox0 + i < p.outW && oy0 + r < p.outH) {
                    vec4 v = acc[o][r * PX + i];
                    if (RELU != 0)
                        v = max(v, vec4(0.0));
                    STORE4(outp, outBase + (ox0 + i) * scale, v);
                }
            }
        }
    }
}
