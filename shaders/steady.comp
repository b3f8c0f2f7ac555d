// Steady (OutputLook::steady): a temporal filter on the network's output that calms the
// flicker a style network makes of a still scene's sensor noise, without trails behind
// what moves. For each pixel of the processing size:
//   stage 0 (before the network, whose later layers reuse the input's buffer): the scene
//     luma l (0..255, the input mapping undone) against the previous frame's,
//     diff = |l - prevLuma| (a huge value on a reset frame), then prevLuma = l;
//   stage 1 (after the network): d = the mean of diff over the 3x3 neighbourhood,
//     w = keep * exp(-(d / SIGMA)^2) (a pixel whose scene changed keeps nothing of the
//     past), the history clamped to the min..max of the new output's 3x3 neighbourhood
//     (what graphics' temporal anti-aliasing does against ghosts: no colour the new frame
//     has nowhere near that pixel survives), history = mix(output, clamped history, w);
//   stage 2: the output tensor = history (in place, for tensor_to_frame.comp and the
//     scene-light mean).
// The history is kept in fp32, in the output tensor's units (the clamp and the mix are
// the same in any affine units), so an fp16 plan's rounding does not accumulate.
#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
// One pipeline per stage: a CPU driver (lavapipe) ran each stage 6x slower than
// frame_to_tensor.comp while the three shared one shader with a push-constant switch.
layout(constant_id = 2) const int STAGE = 0;

layout(std430, binding = 0) readonly buffer Input { sfp4 inp[]; };
layout(std430, binding = 1) buffer Output { sfp4 outp[]; };
// prevLuma[pixels], diff[pixels], then the history as vec4 per pixel.
layout(std430, binding = 2) buffer State { float state[]; };
layout(std430, binding = 3) readonly buffer Reset { uint resetFlag[]; };  // [0] != 0: forget the past

layout(push_constant) uniform P {
    int inW, outW;       // row pitches of the input and output tensors
    int validW, validH;  // the image part of both
    float keep;          // how much of its past a still pixel keeps, 0..1
    float inMul[3], inAdd[3];
} p;

const float SIGMA = 8.0;       // grey levels of scene change at which a pixel keeps 1/e of its weight
const float FORGET = 1.0e4;    // a diff this large (a reset) keeps nothing
const vec3 kLuma = vec3(0.299, 0.587, 0.114);

void main()
{
    const int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
    if (x >= p.validW || y >= p.validH)
        return;
    const int pixels = p.validW * p.validH, i = y * p.validW + x;
    const int history = 2 * pixels + 4 * i;
    if (STAGE == 0) {
        const vec3 mul = vec3(p.inMul[0], p.inMul[1], p.inMul[2]), add = vec3(p.inAdd[0], p.inAdd[1], p.inAdd[2]);
        const float l = dot(clamp(LOAD4(inp, y * p.inW + x).rgb * mul + add, vec3(0.0), vec3(255.0)), kLuma);
        state[pixels + i] = resetFlag[0] != 0u ? 2.0 * FORGET : abs(l - state[i]);
        state[i] = l;
        return;
    }
    if (STAGE == 2) {
        STORE4(outp, y * p.outW + x, vec4(state[history], state[history + 1], state[history + 2], 0.0));
        return;
    }
    float d = 0.0;
    vec3 lo = vec3(3.0e38), hi = vec3(-3.0e38);
    int n = 0;
    for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
            const int sx = x + dx, sy = y + dy;
            if (sx < 0 || sy < 0 || sx >= p.validW || sy >= p.validH)
                continue;
            d += state[pixels + sy * p.validW + sx];
            const vec3 v = LOAD4(outp, sy * p.outW + sx).rgb;
            lo = min(lo, v);
            hi = max(hi, v);
            ++n;
        }
    d /= float(n);
    const vec3 now = LOAD4(outp, y * p.outW + x).rgb;
    const float w = d >= FORGET ? 0.0 : p.keep * exp(-(d / SIGMA) * (d / SIGMA));
    const vec3 past = clamp(vec3(state[history], state[history + 1], state[history + 2]), lo, hi);
    const vec3 v = w > 0.0 ? mix(now, past, w) : now;  // a reset frame's history is not yet written
    state[history] = v.r;
    state[history + 1] = v.g;
    state[history + 2] = v.b;
}
