#!/usr/bin/python3
"""Renders docs/gallery/steady.jpg with stylize-cli: the light pack's wave at 320x180 on a
moving camera (cockatoo.mp4) and a still one (motion.mov), without and with --steady 1.

Rows: cockatoo frame 30 (the clip | steady 0 | steady 1); the same frame's change since
frame 29 followed along the input's optical flow (|frame 30 - frame 29 warped by the DIS
flow of the clip| x4, occluded pixels black: the picture of tools/train/flicker.py's
warping error); motion.mov frame 30 and its plain |frame 30 - frame 29| x4 (the camera
is still).

usage: make_steady_sheet.py STYLIZE_CLI OUT.jpg [--shared ../shared] [--keep DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "train"))
from flicker import flows, valid_mask, warp  # noqa: E402

W, H, FRAME = 320, 180, 30


def frame(path, n, scratch):
    out = os.path.join(scratch, f"frame_{os.path.basename(path)}_{n}.png")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-vf", f"select=eq(n\\,{n}),scale={W}:-2:flags=area",
                    "-fps_mode", "passthrough", "-frames:v", "1", out], check=True)
    return np.asarray(Image.open(out).convert("RGB").crop((0, 0, W, H)))


def grey(d):
    return np.clip(d * 4, 0, 255).astype(np.uint8)[..., None].repeat(3, 2)


def followed_change(source, rendered, scratch):
    (back, fwd), = flows([frame(source, FRAME - 1, scratch), frame(source, FRAME, scratch)])
    a = frame(rendered, FRAME - 1, scratch).astype(np.float32)
    b = frame(rendered, FRAME, scratch).astype(np.float32)
    return grey(np.abs(b - warp(a, back)).mean(2) * valid_mask(back, fwd))


def plain_change(rendered, scratch):
    a = frame(rendered, FRAME - 1, scratch).astype(np.float32)
    b = frame(rendered, FRAME, scratch).astype(np.float32)
    return grey(np.abs(b - a).mean(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cli")
    ap.add_argument("out")
    ap.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    ap.add_argument("--keep", help="render the exports into this folder and keep them")
    args = ap.parse_args()
    videos = os.path.join(args.shared, "fixtures", "videos")
    with tempfile.TemporaryDirectory() as scratch:
        where = args.keep or scratch
        os.makedirs(where, exist_ok=True)
        renders = {}
        for clip in ("cockatoo.mp4", "motion.mov"):
            source = os.path.join(videos, clip)
            if not os.path.exists(source):
                sys.exit(f"make_steady_sheet.py: {source} is missing (the shared fixtures)")
            for steady in ("0", "1"):
                out = os.path.join(where, f"{clip}_steady{steady}.mkv")
                print(f"exporting {clip} at steady {steady} ...", flush=True)
                subprocess.run([args.cli, "export", source, out, "--style", "wave", "--size", f"{W}x{H}", "--crf", "0",
                                "--steady", steady], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                renders[clip, steady] = out
        cockatoo, motion = os.path.join(videos, "cockatoo.mp4"), os.path.join(videos, "motion.mov")
        rows = [[frame(cockatoo, FRAME, scratch)] + [frame(renders["cockatoo.mp4", s], FRAME, scratch) for s in "01"],
                [followed_change(cockatoo, r, scratch) for r in
                 (cockatoo, renders["cockatoo.mp4", "0"], renders["cockatoo.mp4", "1"])],
                [frame(motion, FRAME, scratch)] + [plain_change(renders["motion.mov", s], scratch) for s in "01"]]
        sheet = Image.new("RGB", (3 * W + 8, 3 * H + 8), "white")
        for r, images in enumerate(rows):
            for c, im in enumerate(images):
                sheet.paste(Image.fromarray(im), (c * (W + 4), r * (H + 4)))
        sheet.save(args.out, quality=88)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
