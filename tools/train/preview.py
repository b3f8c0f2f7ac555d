#!/usr/bin/python3
"""Renders a checkpoint's styles in PyTorch (no engine needed) to a contact sheet:
one row per content image, one column per style, plus a 50/50 blend of the first two."""
import argparse
import os

import numpy as np
import torch
from PIL import Image

from export import load_checkpoint
from network import output_to_pixels, pixels_to_input


def render(net, im, weights):
    x = torch.from_numpy(np.asarray(im, np.float32)).permute(2, 0, 1)[None]
    with torch.no_grad():
        y = output_to_pixels(net(pixels_to_input(x), torch.tensor([weights], dtype=torch.float32)))
    y = y[0, :, :im.height, :im.width].clamp(0, 255).permute(1, 2, 0).round().byte().numpy()
    return Image.fromarray(y)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("out")
    p.add_argument("images", nargs="+")
    p.add_argument("--width", type=int, default=256)
    a = p.parse_args()
    torch.set_num_threads(2)
    net, state = load_checkpoint(a.checkpoint)
    n = net.styles
    columns = [np.eye(n)[i].tolist() for i in range(n)] + ([[0.5, 0.5] + [0] * (n - 2)] if n > 1 else [])
    rows = []
    for path in a.images:
        im = Image.open(path).convert("RGB")
        im = im.resize((a.width, round(im.height * a.width / im.width) // 4 * 4))
        rows.append([im] + [render(net, im, w) for w in columns])
    W, H = a.width, max(r[0].height for r in rows)
    sheet = Image.new("RGB", (W * len(rows[0]), H * len(rows)), "white")
    for j, r in enumerate(rows):
        for i, t in enumerate(r):
            sheet.paste(t, (i * W, j * H))
    sheet.save(a.out)
    print(f"{a.out}: step {state['step']}, styles {', '.join(state['styles'])} (+ blend of the first two)")


if __name__ == "__main__":
    main()
