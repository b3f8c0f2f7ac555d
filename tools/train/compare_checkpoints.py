#!/usr/bin/python3
"""Puts two or more checkpoints' renders of the same styles side by side: one row per
checkpoint, one column per style, the painting first, so a run can be judged by eye
against the checkpoint it started from (PyTorch; no engine needed)."""
import argparse
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw

from evaluate import STYLES_DIR, painting_path
from export import load_checkpoint
from preview import render


def label(im, text):
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 7 * len(text) + 8, 16), fill="black")
    d.text((4, 2), text, fill="white")
    return im


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("photo")
    p.add_argument("out")
    p.add_argument("checkpoints", nargs="+", metavar="LABEL=CKPT")
    p.add_argument("--styles", required=True, help="comma-separated style names")
    p.add_argument("--width", type=int, default=384)
    p.add_argument("--styles-dir", default=STYLES_DIR, help="the paintings (default ../shared/training/styles)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    names = [s for s in a.styles.split(",") if s]
    paintings = {name: painting_path(name, a.styles_dir) for name in names}  # a sentence if missing
    im = Image.open(a.photo).convert("RGB")
    im = im.resize((a.width, round(im.height * a.width / im.width) // 4 * 4))
    W, H = im.width, im.height
    rows = []
    for spec in a.checkpoints:
        if "=" not in spec:
            sys.exit(f"compare_checkpoints.py: '{spec}' is not LABEL=CKPT")
        tag, path = spec.split("=", 1)
        net, state = load_checkpoint(path)
        row = [label(im.copy(), "photo")]
        for name in names:
            if name not in state["styles"]:
                sys.exit(f"compare_checkpoints.py: {path} has no style '{name}' (it has {', '.join(state['styles'])})")
            w = np.eye(net.styles)[state["styles"].index(name)].tolist()
            row.append(label(render(net, im, w), f"{tag} {name} (step {state['step']})"))
        rows.append(row)
    top = [Image.new("RGB", (W, H), "white")]
    for name in names:
        painting = Image.open(paintings[name]).convert("RGB")
        painting.thumbnail((W, H))
        tile = Image.new("RGB", (W, H), "white")
        tile.paste(painting, ((W - painting.width) // 2, (H - painting.height) // 2))
        top.append(label(tile, name))
    sheet = Image.new("RGB", (W * len(top), H * (len(rows) + 1)), "white")
    for j, r in enumerate([top] + rows):
        for i, t in enumerate(r):
            sheet.paste(t, (i * W, j * H))
    sheet.save(a.out, quality=90)
    print(f"{a.out}: {len(rows)} checkpoints x {len(names)} styles at {W}x{H}")


if __name__ == "__main__":
    main()
