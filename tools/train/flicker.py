#!/usr/bin/python3
"""Temporal stability of a style on a real clip: the warping error between consecutive
output frames, the earlier one warped by the optical flow of the *input* frames.

  flicker.py CLIP --checkpoint CKPT [--style NAME] [--width 320] [--frames 24] [--start 0]
  flicker.py CLIP --engstrom MODEL_DIR    (Engstrom's ml5 model through ../shared/reference)
  flicker.py CLIP --rendered STYLIZED     (a stylized copy of CLIP, e.g. from stylize-cli export:
                                           the engine's own frames, --steady included)

For each pair of consecutive input frames (t-1, t) the flow from t to t-1 is OpenCV's DIS
optical flow (medium preset) on the input's luminance; the output of t-1 is warped to t
with it. Pixels whose flow fails the forward-backward check (|f_tb + f_bt(x + f_tb)| >
0.5 + 0.05 * (|f_tb|^2 + |f_bt|^2), Ruder et al. 2016) are occluded and left out. The
error is the mean absolute difference over the kept pixels, in grey levels (0..255),
averaged over the pairs. The input's own warping error is printed beside it: what the
flow cannot explain (noise, lighting), the floor for any output.
Needs Debian's python3-opencv.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import cv2
except ImportError:
    sys.exit("error: flicker.py needs OpenCV: apt-get install python3-opencv (Debian's, for /usr/bin/python3)")


def read_frames(clip, width, count, start):
    # Every decoded frame as it is: FFmpeg's default frame-rate conversion would duplicate
    # one where a clip's timestamps start late (an export keeps its source's) and shift
    # every pair (docs/steady.md).
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ffmpeg", "-v", "error", "-ss", str(start), "-i", clip, "-frames:v", str(count),
                        "-fps_mode", "passthrough", "-vf", f"scale={width}:-2:flags=area",
                        os.path.join(tmp, "f%04d.png")], check=True)
        files = sorted(os.listdir(tmp))
        if len(files) < 2:
            sys.exit(f"error: {clip}: fewer than two frames from {start} s")
        frames = []
        for f in files:
            im = np.asarray(Image.open(os.path.join(tmp, f)).convert("RGB"))
            h = im.shape[0] // 4 * 4
            frames.append(im[:h, : width // 4 * 4])
        return frames


def flows(frames):
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    out = []
    for a, b in zip(grey[:-1], grey[1:]):
        back = dis.calc(b, a, None)   # for each pixel of t: where it was in t-1
        fwd = dis.calc(a, b, None)    # for each pixel of t-1: where it goes in t
        out.append((back, fwd))
    return out


def warp(img, flow):
    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def valid_mask(back, fwd):
    fwd_at = warp(fwd, back)  # the forward flow, read where each pixel of t came from
    diff = back + fwd_at
    lhs = (diff ** 2).sum(2)
    rhs = 0.05 * ((back ** 2).sum(2) + (fwd_at ** 2).sum(2)) + 0.5
    h, w = back.shape[:2]
    gx, gy = np.meshgrid(np.arange(w), np.arange(h))
    inside = (gx + back[..., 0] >= 0) & (gx + back[..., 0] <= w - 1) & (gy + back[..., 1] >= 0) & (gy + back[..., 1] <= h - 1)
    return (lhs <= rhs) & inside


def warping_error(outputs, pairs):
    errs, kept = [], []
    for t, (back, fwd) in enumerate(pairs, start=1):
        m = valid_mask(back, fwd)
        prev = warp(outputs[t - 1].astype(np.float32), back)
        d = np.abs(outputs[t].astype(np.float32) - prev).mean(2)
        errs.append(float(d[m].mean()))
        kept.append(float(m.mean()))
    return float(np.mean(errs)), float(np.mean(kept))


def stylize_checkpoint(frames, ckpt, style):
    import torch
    from export import load_checkpoint
    from preview import render
    torch.set_num_threads(2)
    net, state = load_checkpoint(ckpt)
    if style not in state["styles"]:
        sys.exit(f"error: {ckpt} has no style {style} (it has {', '.join(state['styles'])})")
    w = np.eye(net.styles)[state["styles"].index(style)].tolist()
    return [np.asarray(render(net, Image.fromarray(f), w)) for f in frames]


def stylize_engstrom(frames, model):
    ref = os.path.normpath(os.path.join(HERE, "../../../shared/reference/engstrom_ref.py"))
    outs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, f in enumerate(frames):
            src, dst = os.path.join(tmp, f"in{i}.png"), os.path.join(tmp, f"out{i}.png")
            Image.fromarray(f).save(src)
            subprocess.run([sys.executable, ref, model, src, dst], check=True, capture_output=True)
            outs.append(np.asarray(Image.open(dst).convert("RGB"))[: f.shape[0], : f.shape[1]])
    return outs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("clip")
    p.add_argument("--checkpoint")
    p.add_argument("--style", default="wave")
    p.add_argument("--engstrom", metavar="MODEL_DIR")
    p.add_argument("--rendered", metavar="STYLIZED_CLIP",
                   help="measure this stylized copy of CLIP (its frames scaled to --width as CLIP's are)")
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--frames", type=int, default=24)
    p.add_argument("--start", type=float, default=0.0)
    a = p.parse_args()
    if sum(bool(v) for v in (a.checkpoint, a.engstrom, a.rendered)) != 1:
        sys.exit("error: give one of --checkpoint CKPT, --engstrom MODEL_DIR or --rendered STYLIZED_CLIP")
    frames = read_frames(a.clip, a.width, a.frames, a.start)
    pairs = flows(frames)
    base, kept = warping_error(frames, pairs)
    if a.rendered:
        outs = read_frames(a.rendered, a.width, a.frames, a.start)
        if len(outs) != len(frames) or outs[0].shape != frames[0].shape:
            sys.exit(f"error: {a.rendered}: {len(outs)} frames of {outs[0].shape[1]}x{outs[0].shape[0]} at --width "
                     f"{a.width}, where {a.clip} gives {len(frames)} of {frames[0].shape[1]}x{frames[0].shape[0]}: "
                     "render it at the clip's aspect ratio, with every frame")
        what = f"rendered {os.path.basename(a.rendered)}"
    elif a.engstrom:
        outs = stylize_engstrom(frames, a.engstrom)
        what = f"engstrom {os.path.basename(a.engstrom.rstrip('/'))}"
    else:
        outs = stylize_checkpoint(frames, a.checkpoint, a.style)
        what = f"{os.path.basename(a.checkpoint)} {a.style}"
    err, _ = warping_error(outs, pairs)
    print(f"{os.path.basename(a.clip)} {len(frames)} frames at {frames[0].shape[1]}x{frames[0].shape[0]}: "
          f"{what}: warping error {err:.2f} grey levels (input {base:.2f}, {kept * 100:.0f}% of pixels kept)")


if __name__ == "__main__":
    main()
