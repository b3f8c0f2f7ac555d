// Steady (OutputLook::steady): a temporal filter on the network's output that calms the
// flicker a style network makes of a scene's sensor noise, still or moving, without
// trails behind what moves. At the processing size:
//   stage 0 (before the network, whose later layers reuse the input's buffer): the scene
//     luma (0..255, the input mapping undone) of every pixel, kept as `cur`, and the mean
//     of every 2x2 block, `curCoarse`, and of every 4x4 block, `curCoarse4` (a last block
//     that overhangs the frame repeats the edge pixels);
//   stage 1 (after the network; one invocation per 8x8 tile): the tile's motion since the
//     last frame, the whole-pixel vector v that best matches `cur` with `prev` at +v,
//     coarse to fine, as a video encoder finds it:
//       a. on the 4x4 means of the 16x16 window around the tile, vectors 4u, |ux|, |uy| <= R,
//          R = p.wideRadius (SteadyOp::wideRadius: 2 at 320x180, 4 at 640x360, 8 at 1280x720,
//          as a camera's motion in pixels grows with the size);
//       b. on the tile's 2x2 means, vectors 2u, |u| <= 4, and the 9 within 2 of a's best;
//       c. on the tile's pixels, the 25 vectors within 2 of b's best, and no motion.
//     That reaches 4R + 2 + 2 pixels a frame (12 to 36). A vector's cost is the mean
//     |cur - prev at +v| plus LAMBDA per pixel of |vx| + |vy| and MOVED for any motion at
//     all (on a flat noisy tile, noise picks no vector); ties go to the lowest candidate
//     index (each level row by row from its most negative vector, b's 9 after its 81,
//     no motion last). A candidate whose tile would leave the frame is out;
//   stage 2: for each pixel, with its tile's v: d = the 3x3 mean of |cur(q) - prev(q + v)|,
//     w = keep * exp(-(d / SIGMA)^2) (a pixel whose scene changed, or that v does not
//     follow, keeps nothing of the past; nor does one whose p + v left the frame, nor any
//     on a reset frame), the history at p + v clamped to the min..max of the new output's
//     3x3 neighbourhood (what graphics' temporal anti-aliasing does against ghosts), and
//     next = mix(output, clamped history, w);
//   stage 3: output = history = next, prev = cur, prevCoarse = curCoarse,
//     prevCoarse4 = curCoarse4.
// The history is kept in fp32, in the output tensor's units (the clamp and the mix are
// the same in any affine units), so an fp16 plan's rounding does not accumulate.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
// One pipeline per stage: a CPU driver (lavapipe) ran each stage 6x slower than
// frame_to_tensor.comp while they shared one shader with a push-constant switch.
layout(constant_id = 2) const int STAGE = 0;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) buffer Output { sfp4 outp[]; };
// For P = validW * validH pixels, T tiles, C 2x2 blocks and Q 4x4 blocks: prev[P], cur[P],
// history[4P], next[4P], vectors[2T], prevCoarse[C], curCoarse[C], prevCoarse4[Q],
// curCoarse4[Q] (render/ops/steady_op.h, stateBytes()).
layout(std430, binding = 2) buffer State { float state[]; };
layout(std430, binding = 3) readonly buffer Reset { uint resetFlag[]; };  // [0] != 0: forget the past

layout(push_constant) uniform P {
    int inW, outW;       // row pitches of the input and output tensors
    int validW, validH;  // the image part of both
    float keep;          // how much of its past a still pixel keeps, 0..1
    float inMul[3], inAdd[3];
    int wideRadius;      // the 4x4 level's search radius in blocks, 2..8
} p;

const float SIGMA = 8.0;  // grey levels of scene change at which a pixel keeps 1/e of its weight
const float LAMBDA = 0.05;  // grey levels of mean difference a vector's length costs per pixel (docs/steady.md)
const float MOVED = 2.0;    // and any motion at all: on a flat noisy tile, noise picks no vector
const int TILE = 8;  // render/ops/steady_op.h's kTile
const int COARSE_RADIUS = 4;  // in 2x2 blocks, around no motion
const int COARSE_SIDE = 2 * COARSE_RADIUS + 1;
const int FINE_RADIUS = 2;  // whole pixels around the coarse level's best
const int FINE_SIDE = 2 * FINE_RADIUS + 1;
const vec3 kLuma = vec3(0.299, 0.587, 0.114);

int pixels()
{
    return p.validW * p.validH;
}

int tilesX()
{
    return (p.validW + TILE - 1) / TILE;
}

int tiles()
{
    return tilesX() * ((p.validH + TILE - 1) / TILE);
}

int coarseW()
{
    return (p.validW + 1) / 2;
}

int coarseH()
{
    return (p.validH + 1) / 2;
}

// Where the buffers start in `state`.
int vectorsAt()
{
    return 10 * pixels();
}

int prevCoarseAt()
{
    return vectorsAt() + 2 * tiles();
}

int curCoarseAt()
{
    return prevCoarseAt() + coarseW() * coarseH();
}

int coarse4W()
{
    return (p.validW + 3) / 4;
}

int coarse4H()
{
    return (p.validH + 3) / 4;
}

int prevCoarse4At()
{
    return curCoarseAt() + coarseW() * coarseH();
}

int curCoarse4At()
{
    return prevCoarse4At() + coarse4W() * coarse4H();
}

float prevLuma(int x, int y)
{
    return state[clamp(y, 0, p.validH - 1) * p.validW + clamp(x, 0, p.validW - 1)];
}

float sceneLuma(int x, int y)
{
    const vec3 mul = vec3(p.inMul[0], p.inMul[1], p.inMul[2]), add = vec3(p.inAdd[0], p.inAdd[1], p.inAdd[2]);
    return dot(clamp(LOAD4(inp, y * p.inW + x).rgb * mul + add, vec3(0.0), vec3(255.0)), kLuma);
}

bool tileStaysInside(int ox, int oy, int tw, int th, ivec2 v)
{
    return ox + v.x >= 0 && oy + v.y >= 0 && ox + tw + v.x <= p.validW && oy + th + v.y <= p.validH;
}

float vectorCost(float meanDifference, ivec2 v)
{
    return meanDifference + LAMBDA * float(abs(v.x) + abs(v.y)) + (v != ivec2(0) ? MOVED : 0.0);
}

void searchMotion()
{
    const int tx = int(gl_GlobalInvocationID.x), ty = int(gl_GlobalInvocationID.y);
    if (tx >= tilesX() || ty * TILE >= p.validH)
        return;
    const int ox = tx * TILE, oy = ty * TILE;
    const int tw = min(TILE, p.validW - ox), th = min(TILE, p.validH - oy);
    const int P = pixels();
    // a. The 4x4 blocks of the 16x16 window around the tile (clamped to the frame).
    const int qw = coarse4W(), qh = coarse4H(), prevCoarse4 = prevCoarse4At();
    const int wx = ox / 4 - 1, wy = oy / 4 - 1;
    float window[16];
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x)
            window[y * 4 + x] = state[curCoarse4At() + clamp(wy + y, 0, qh - 1) * qw + clamp(wx + x, 0, qw - 1)];
    float best = 3.0e38;
    ivec2 wide = ivec2(0);  // none found (a first frame's prev holds anything, NaN included): around no motion
    const int wideSide = 2 * p.wideRadius + 1;
    for (int c = 0; c < wideSide * wideSide; ++c) {
        const ivec2 u = ivec2(c % wideSide, c / wideSide) - p.wideRadius;
        if (!tileStaysInside(ox, oy, tw, th, 4 * u))
            continue;
        float sad = 0.0;
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                sad += abs(window[y * 4 + x] -
                           state[prevCoarse4 + clamp(wy + y + u.y, 0, qh - 1) * qw + clamp(wx + x + u.x, 0, qw - 1)]);
        const float cost = vectorCost(sad / 16.0, 4 * u);
        if (cost < best) {
            best = cost;
            wide = 4 * u;
        }
    }
    // b. The tile's 4x4 2x2 blocks (a partial tile repeats its last block): around no
    // motion, then around a's best.
    const int cw = coarseW(), ch = coarseH(), prevCoarse = prevCoarseAt();
    float cur[16];
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x)
            cur[y * 4 + x] = state[curCoarseAt() + min(oy / 2 + y, ch - 1) * cw + min(ox / 2 + x, cw - 1)];
    best = 3.0e38;
    ivec2 coarse = ivec2(0);
    const int aroundZero = COARSE_SIDE * COARSE_SIDE;
    for (int c = 0; c < aroundZero + 9; ++c) {
        const ivec2 u = c < aroundZero ? ivec2(c % COARSE_SIDE, c / COARSE_SIDE) - COARSE_RADIUS
                                       : wide / 2 + ivec2((c - aroundZero) % 3, (c - aroundZero) / 3) - 1;
        if (!tileStaysInside(ox, oy, tw, th, 2 * u))
            continue;
        float sad = 0.0;
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                sad += abs(cur[y * 4 + x] -
                           state[prevCoarse + clamp(oy / 2 + y + u.y, 0, ch - 1) * cw + clamp(ox / 2 + x + u.x, 0, cw - 1)]);
        const float cost = vectorCost(sad / 16.0, 2 * u);
        if (cost < best) {
            best = cost;
            coarse = 2 * u;
        }
    }
    // c. The tile's pixels.
    best = 3.0e38;
    ivec2 found = ivec2(0);
    for (int k = 0; k <= FINE_SIDE * FINE_SIDE; ++k) {
        const ivec2 v = k < FINE_SIDE * FINE_SIDE ? coarse + ivec2(k % FINE_SIDE, k / FINE_SIDE) - FINE_RADIUS : ivec2(0);
        if (!tileStaysInside(ox, oy, tw, th, v))
            continue;
        float sad = 0.0;
        for (int y = 0; y < th; ++y)
            for (int x = 0; x < tw; ++x)
                sad += abs(state[P + (oy + y) * p.validW + ox + x] - state[(oy + y + v.y) * p.validW + ox + x + v.x]);
        const float cost = vectorCost(sad / float(tw * th), v);
        if (cost < best) {
            best = cost;
            found = v;
        }
    }
    const int tile = ty * tilesX() + tx;
    state[vectorsAt() + 2 * tile] = float(found.x);
    state[vectorsAt() + 2 * tile + 1] = float(found.y);
}

void main()
{
    if (STAGE == 1) {
        searchMotion();
        return;
    }
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.validW || y >= p.validH)
        return;
    const int P = pixels(), i = y * p.validW + x;
    const int history = 2 * P, next = 6 * P;
    if (STAGE == 0) {
        const float l = sceneLuma(x, y);
        state[P + i] = l;
        if (x % 2 == 0 && y % 2 == 0) {  // the block's other three pixels, read again here
            const int x1 = min(x + 1, p.validW - 1), y1 = min(y + 1, p.validH - 1);
            state[curCoarseAt() + (y / 2) * coarseW() + x / 2] =
                (l + sceneLuma(x1, y) + sceneLuma(x, y1) + sceneLuma(x1, y1)) * 0.25;
        }
        if (x % 4 == 0 && y % 4 == 0) {  // and the 4x4 block's, row by row
            float sum = 0.0;
            for (int by = 0; by < 4; ++by)
                for (int bx = 0; bx < 4; ++bx)
                    sum += sceneLuma(min(x + bx, p.validW - 1), min(y + by, p.validH - 1));
            state[curCoarse4At() + (y / 4) * coarse4W() + x / 4] = sum * (1.0 / 16.0);
        }
        return;
    }
    if (STAGE == 3) {
        const vec3 v = vec3(state[next + 4 * i], state[next + 4 * i + 1], state[next + 4 * i + 2]);
        STORE4(outp, y * p.outW + x, vec4(v, 0.0));
        state[history + 4 * i] = v.r;
        state[history + 4 * i + 1] = v.g;
        state[history + 4 * i + 2] = v.b;
        state[i] = state[P + i];
        if (x % 2 == 0 && y % 2 == 0) {
            const int c = (y / 2) * coarseW() + x / 2;
            state[prevCoarseAt() + c] = state[curCoarseAt() + c];
        }
        if (x % 4 == 0 && y % 4 == 0) {
            const int c = (y / 4) * coarse4W() + x / 4;
            state[prevCoarse4At() + c] = state[curCoarse4At() + c];
        }
        return;
    }
    const int tile = (y / TILE) * tilesX() + x / TILE;
    const int vx = int(state[vectorsAt() + 2 * tile]), vy = int(state[vectorsAt() + 2 * tile + 1]);
    const int sx = x + vx, sy = y + vy;
    const bool follows = resetFlag[0] == 0u && sx >= 0 && sy >= 0 && sx < p.validW && sy < p.validH;
    float d = 0.0;
    vec3 lo = vec3(3.0e38), hi = vec3(-3.0e38);
    int n = 0;
    for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
            const int qx = x + dx, qy = y + dy;
            if (qx < 0 || qy < 0 || qx >= p.validW || qy >= p.validH)
                continue;
            d += abs(state[P + qy * p.validW + qx] - prevLuma(qx + vx, qy + vy));
            const vec3 v = LOAD4(outp, qy * p.outW + qx).rgb;
            lo = min(lo, v);
            hi = max(hi, v);
            ++n;
        }
    d /= float(n);
    const vec3 now = LOAD4(outp, y * p.outW + x).rgb;
    const float w = follows ? p.keep * exp(-(d / SIGMA) * (d / SIGMA)) : 0.0;
    const int at = history + 4 * (sy * p.validW + sx);
    // A reset frame's history is not yet written (it may hold NaN): not read at all.
    const vec3 v = w > 0.0 ? mix(now, clamp(vec3(state[at], state[at + 1], state[at + 2]), lo, hi), w) : now;
    state[next + 4 * i] = v.r;
    state[next + 4 * i + 1] = v.g;
    state[next + 4 * i + 2] = v.b;
}
