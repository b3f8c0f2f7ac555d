#!/usr/bin/python3
"""What painting scale, which pooled copies and which style terms the VGG loss needs before
it asks for a painting's motifs, shown on one photo: direct image optimisation
(term_ablation.py's, with the packs' loss weights) under each setting, as a labelled sheet
with the VGG style distance and edge correlation of each result.

  scale_study.py PHOTO STYLE OUT.png [--size 256] [--steps 150]
      [--settings 256:1,2,4 512:1,2,4 512:1,2,4,8 256:1,2,4:30] [--patch-layers relu3_1@2x,relu3_1@4x]

A setting is PAINTING_SIZE:SCALES[:PATCH_WEIGHT]; a patch weight adds train.py's
--patch-weight term on --patch-layers beside the Gram term.

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
    parts = text.split(":")
    try:
        if len(parts) not in (2, 3):
            raise ValueError
        patch = float(parts[2]) if len(parts) == 3 else 0.0
        return int(parts[0]), tuple(int(s) for s in parts[1].split(",")), patch
    except ValueError:
        raise SystemExit(f"error: setting {text!r}: expected PAINTING_SIZE:SCALES[:PATCH_WEIGHT], e.g. 512:1,2,4,8 "
                         "or 256:1,2,4:30")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("photo")
    p.add_argument("style", help="a styles.json name or a painting file")
    p.add_argument("out")
    p.add_argument("--size", type=int, default=256, help="short side of the photo (the training crop size)")
    p.add_argument("--steps", type=int, default=150)
    p.add_argument("--settings", nargs="+", default=["256:1,2,4", "512:1,2,4", "512:1,2,4,8"])
    p.add_argument("--patch-layers", default="relu3_1@2x,relu3_1@4x")
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
        size, scales, patch = parse_setting(text)
        layers = a.patch_layers.split(",") if patch > 0 else []
        try:
            crit = PerceptualLoss(lossnet.VGGLossNet(a.vgg, scales=scales), jitter=0, patch_layers=layers)
        except ValueError as e:
            raise SystemExit(f"error: setting {text!r}: {e}")
        crit.add_style(load01(painting, size))
        t0 = time.time()
        im = to_image(optimise(crit, content, PACK_WEIGHTS | {"patch": patch}, a.steps))
        d, e = dist(im, painting), edge_correlation(im, photo_im)
        label = f"painting {size} px, scales {','.join(map(str, scales))}" + (f", patch {patch:g}" if patch else "")
        print(f"{label:36s} distance {d:.3f}  edges {e:.3f}  ({time.time() - t0:.0f} s)", flush=True)
        tiles.append((label, im, d, e))
        save_sheet(tiles, a.out)  # after each tile: a long study shows what it has so far


if __name__ == "__main__":
    main()
