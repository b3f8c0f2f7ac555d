#!/usr/bin/python3
"""What each loss term does under the VGG-19 loss, shown on one image: direct image
optimisation (Gatys et al.) from the photo, with train.py's loss, and the same run with
one term switched off (or up) at a time. Writes a labelled sheet and prints the VGG style
distance and edge correlation (evaluate.py) of each result.

  term_ablation.py PHOTO STYLE OUT.png [--size 192] [--steps 120]

The network-only terms (spike, stability) act on the network's instance norms and on
its response to noise, not on an image: they are judged on trained checkpoints instead
(flicker.py, and the contact sheets in checkpoints/README.md).
"""
import argparse
import os
import time

import torch
from PIL import Image, ImageDraw

import lossnet
from compare_lossnets import load01, to_image
from evaluate import StyleDistance, edge_correlation, painting_path
from losses import PerceptualLoss, luma_loss


def optimise(crit, content, w, steps, lr=0.02, seed=0):
    torch.manual_seed(seed)
    x = content.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    for _ in range(steps):
        out = x.clamp(0, 1)
        loss, _ = crit(out, content, [0], w["content"], w["style"], w["tv"], patch_weight=w.get("patch", 0.0))
        if w["luma"] > 0:
            loss = loss + w["luma"] * luma_loss(out, content)
        if w["palette"] > 0:
            loss = loss + w["palette"] * crit.palette_loss(out, [0])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return x.detach().clamp(0, 1)


def save_sheet(tiles, out):
    """tiles: (label, image, distance, edges), the images of one size, in a labelled row."""
    W, H = tiles[0][1].size
    sheet = Image.new("RGB", (W * len(tiles), H + 30), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (label, im, d, e) in enumerate(tiles):
        sheet.paste(im, (i * W, 0))
        draw.text((i * W + 4, H + 2), label, fill="black")
        draw.text((i * W + 4, H + 15), f"dist {d:.3f} edges {e:.2f}", fill="black")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    sheet.save(out)
    print("wrote", out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("photo")
    p.add_argument("style", help="a styles.json name or a painting file")
    p.add_argument("out")
    p.add_argument("--size", type=int, default=192, help="short side of the photo")
    p.add_argument("--style-size", type=int, default=256)
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--vgg", default=None)
    a = p.parse_args()
    torch.set_num_threads(2)
    base = {"content": 2.5, "style": 30.0, "palette": 5.0, "luma": 1.0, "tv": 3.0}  # the packs' last training settings
    variants = [("all terms", base)] + [(f"no {k}", base | {k: 0.0}) for k in ("palette", "luma", "tv")] + [
        ("content x0.4", base | {"content": 1.0}), ("tv x3", base | {"tv": 9.0})]
    crit = PerceptualLoss(lossnet.VGGLossNet(a.vgg), jitter=0)
    painting = painting_path(a.style)
    crit.add_style(load01(painting, a.style_size))
    content = load01(a.photo, a.size)
    photo_im = to_image(content)
    dist = StyleDistance(a.vgg)
    tiles = [("photo", photo_im, dist(photo_im, painting), 1.0)]
    for label, w in variants:
        t0 = time.time()
        im = to_image(optimise(crit, content, w, a.steps))
        d, e = dist(im, painting), edge_correlation(im, photo_im)
        print(f"{label:14s} distance {d:.3f}  edges {e:.3f}  ({time.time() - t0:.0f} s)", flush=True)
        tiles.append((label, im, d, e))
    save_sheet(tiles, a.out)


if __name__ == "__main__":
    main()
