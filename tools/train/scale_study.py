#!/usr/bin/python3
"""What painting scale and which pooled copies the VGG style loss needs before it asks for
a painting's motifs, shown on one photo: direct image optimisation (term_ablation.py's,
with the packs' loss weights) under each (painting size, style scales) setting, as a
labelled sheet with the VGG style distance and edge correlation of each result.

  scale_study.py PHOTO STYLE OUT.png [--size 256] [--steps 150]
      [--settings 256:1,2,4 512:1,2,4 512:1,2,4,8]

A setting that paints the motifs here is worth a network's training time (tools/train/gpu);
one that does not will not paint them in a feed-forward network either.
"""
import argparse
import time

import torch

import lossnet
from compare_lossnets import load01, to_image
from evaluate import StyleDistance, edge_correlation, painting_path
from losses import PerceptualLoss
from term_ablation import optimise, save_sheet

PACK_WEIGHTS = {"content": 2.5, "style": 30.0, "palette": 5.0, "luma": 1.0, "tv": 3.0}


def parse_setting(text):
    size, _, scales = text.partition(":")
    try:
        return int(size), tuple(int(s) for s in scales.split(","))
    except ValueError:
        raise SystemExit(f"error: setting {text!r}: expected PAINTING_SIZE:SCALES, e.g. 512:1,2,4,8")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("photo")
    p.add_argument("style", help="a styles.json name or a painting file")
    p.add_argument("out")
    p.add_argument("--size", type=int, default=256, help="short side of the photo (the training crop size)")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--settings", nargs="+", default=["256:1,2,4", "512:1,2,4", "512:1,2,4,8"])
    p.add_argument("--vgg", default=None)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    painting = painting_path(a.style)
    content = load01(a.photo, a.size)
    photo_im = to_image(content)
    dist = StyleDistance(a.vgg)
    tiles = [("photo", photo_im, dist(photo_im, painting), 1.0)]
    for text in a.settings:
        size, scales = parse_setting(text)
        crit = PerceptualLoss(lossnet.VGGLossNet(a.vgg, scales=scales), jitter=0)
        crit.add_style(load01(painting, size))
        t0 = time.time()
        im = to_image(optimise(crit, content, PACK_WEIGHTS, a.steps))
        d, e = dist(im, painting), edge_correlation(im, photo_im)
        label = f"painting {size} px, scales {','.join(map(str, scales))}"
        print(f"{label:36s} distance {d:.3f}  edges {e:.3f}  ({time.time() - t0:.0f} s)", flush=True)
        tiles.append((label, im, d, e))
    save_sheet(tiles, a.out)


if __name__ == "__main__":
    main()
