#!/usr/bin/python3
"""Compares loss networks on the same style by optimising an image directly (Gatys et al.):
the content image is the starting point, each loss network pulls it towards the painting.
Writes one PNG per network and a side-by-side strip (content | painting | net...)."""
import argparse
import os
import time

import numpy as np
import torch
from PIL import Image

import lossnet
from losses import PerceptualLoss

HERE = os.path.dirname(os.path.abspath(__file__))


def load01(path, short):
    im = Image.open(path).convert("RGB")
    s = short / min(im.size)
    im = im.resize((round(im.width * s) // 4 * 4, round(im.height * s) // 4 * 4), Image.LANCZOS)
    return torch.from_numpy(np.asarray(im, np.float32) / 255).permute(2, 0, 1)[None]


def to_image(t):
    return Image.fromarray((t[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255).round().astype(np.uint8))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("content")
    p.add_argument("style")
    p.add_argument("out_dir")
    p.add_argument("--nets", default="mobilenet,random,both")
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--style-weight", type=float, default=20.0)
    p.add_argument("--smoothing", type=float, default=0.0, help="softmax temperature for style features")
    p.add_argument("--work", default=os.path.join(HERE, "data"))
    a = p.parse_args()
    torch.set_num_threads(2)
    os.makedirs(a.out_dir, exist_ok=True)
    content = load01(a.content, a.size)
    style = load01(a.style, a.size * 3 // 2)
    tiles = [to_image(content), to_image(load01(a.style, a.size))]
    for name in a.nets.split(","):
        smoothing = a.smoothing
        if name.endswith("+softmax"):
            name, smoothing = name[:-len("+softmax")], smoothing or 1.0
        nets = ["mobilenet", "random"] if name == "both" else [name]
        crits = []
        for n in nets:
            c = PerceptualLoss(lossnet.make_lossnet(n, a.work), smoothing=smoothing)
            c.add_style(style)
            crits.append(c)
        x = content.clone().requires_grad_(True)
        opt = torch.optim.Adam([x], lr=0.02)
        t0 = time.time()
        for i in range(a.steps):
            if i % 20 == 0:
                print(f"  {name} step {i}", flush=True)
            opt.zero_grad()
            loss = sum(c(x.clamp(0, 1), content, [0], style_weight=a.style_weight, tv_weight=0.5)[0] for c in crits)
            loss.backward()
            opt.step()
        print(f"{name}: loss {float(loss):.4f}, {time.time() - t0:.1f} s")
        im = to_image(x.detach())
        im.save(os.path.join(a.out_dir, f"{name}{'+softmax' if smoothing else ''}.png"))
        tiles.append(im)
    w = sum(t.width for t in tiles)
    strip = Image.new("RGB", (w, max(t.height for t in tiles)))
    x0 = 0
    for t in tiles:
        strip.paste(t, (x0, 0))
        x0 += t.width
    strip.save(os.path.join(a.out_dir, "strip.png"))


if __name__ == "__main__":
    main()
