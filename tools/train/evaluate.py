#!/usr/bin/python3
"""How close renders paint to their paintings, and how much of the photo they keep.

  evaluate.py PHOTO --checkpoint CKPT [--width 480] [--styles a,b]
                                        render each style (or those named) in PyTorch
  evaluate.py PHOTO wave=RENDER.jpg starry=RENDER.jpg ...
                                        renders made elsewhere (stylize-cli, a reference model)

Style distance (lower = closer to the painting): Gram matrices of VGG-19 relu1_1, relu2_1
and relu3_1 on the image and on a 2x average-pooled copy; each of the six terms is
||G(render) - G(painting)||^2 / ||G(painting)||^2; the distance is their mean. The
painting is scaled to 512 px on its long side. Edge correlation (higher = more of the
photo kept): Pearson correlation of the Sobel gradient magnitudes of the render's and the
photo's luminance at the render's size. A NAME may be a styles.json name or a painting's
path; `photo=` scores the unstyled photo against every painting named before it.

--patches adds a patch distance (lower = more of the painting's local shapes are found in
the render): relu3_1 of the 2x and 4x pooled copies (~64 and ~128 px), every 3x3
neighbourhood of the painting's features matched to the render's most similar one
(cosine); the distance is the mean of 1 - that cosine. A crop of the painting scores
~0.17, an unrelated photo ~0.5, the painting's pixels shuffled ~0.52, a flat image ~0.77. A Gram
matrix keeps which features occur together, not how they are arranged, so the two
measures can disagree: a render with the painting's motifs may score worse on the Gram
distance and better here.

--identify asks whether a viewer could name the painting: each render's style distance to
every painting in styles.json (those found in --styles-dir), and which of them is nearest.
A render is named when its own painting is the nearest; the table gives the nearest one and
its own painting's rank, and the summary how many of the renders were named.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

import lossnet
from lossnet import gram
from train import load_style_table

HERE = os.path.dirname(os.path.abspath(__file__))
STYLES_DIR = os.path.normpath(os.path.join(HERE, "../../../shared/training/styles"))


def load01(im):
    return torch.from_numpy(np.asarray(im.convert("RGB"), np.float32) / 255).permute(2, 0, 1)[None]


def painting_at_512(path):
    """Both measures see the painting at 512 px on its long side."""
    im = Image.open(path).convert("RGB")
    s = 512 / max(im.size)
    return im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)


class StyleDistance:
    def __init__(self, vgg_path=None):
        self.net = lossnet.VGGLossNet(vgg_path, scales=(1, 2), content_layers=())
        self.cache = {}

    def grams(self, x01):
        with torch.no_grad():
            f = self.net(x01)
        return {k: gram(v)[0] for k, v in f.items()}

    def painting(self, path):
        if path not in self.cache:
            self.cache[path] = self.grams(load01(painting_at_512(path)))
        return self.cache[path]

    def __call__(self, render_im, painting_path):
        return self.to_each(render_im, [painting_path])[0]

    def to_each(self, render_im, painting_paths):
        """The distance to each painting, the render's features computed once."""
        g = self.grams(load01(render_im))
        out = []
        for path in painting_paths:
            t = self.painting(path)
            out.append(float(np.mean([float(((g[k] - t[k]) ** 2).sum() / (t[k] ** 2).sum()) for k in t])))
        return out


class PatchDistance:
    LAYERS = ("relu3_1@2x", "relu3_1@4x")

    def __init__(self, vgg_path=None):
        self.net = lossnet.VGGLossNet(vgg_path, scales=(2, 4), content_layers=())
        self.cache = {}

    def unit_patches(self, x01):
        from losses import feature_patches
        with torch.no_grad():
            f = self.net(x01)
        return {k: F.normalize(feature_patches(f[k]), dim=1, eps=1e-6) for k in self.LAYERS}

    def __call__(self, render_im, painting_path):
        if painting_path not in self.cache:
            self.cache[painting_path] = self.unit_patches(load01(painting_at_512(painting_path)))
        r, t = self.unit_patches(load01(render_im)), self.cache[painting_path]
        # For every painting patch, how unlike it the render's most similar patch is.
        return float(np.mean([float((1 - (t[k] @ r[k].T).max(1).values).mean()) for k in self.LAYERS]))


def sobel_magnitude(im):
    y = torch.from_numpy(np.asarray(im.convert("L"), np.float32) / 255)[None, None]
    kx = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])[None, None]
    gx = F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), kx)
    gy = F.conv2d(F.pad(y, (1, 1, 1, 1), mode="replicate"), kx.transpose(2, 3))
    return (gx ** 2 + gy ** 2).sqrt().flatten().numpy()


def edge_correlation(render_im, photo_im):
    a = sobel_magnitude(render_im)
    b = sobel_magnitude(photo_im.convert("RGB").resize(render_im.size, Image.LANCZOS))
    return float(np.corrcoef(a, b)[0, 1])


def painting_path(name, styles_dir=STYLES_DIR):
    if os.path.exists(name):
        return name
    table = load_style_table()
    if name not in table:
        sys.exit(f"error: {name} is neither a painting file nor a style in styles.json")
    path = os.path.join(styles_dir, table[name]["file"])
    if not os.path.exists(path):
        sys.exit(f"error: painting {path} for style {name} not found (../shared/training/styles, or give --styles-dir)")
    return path


def all_paintings(styles_dir=STYLES_DIR):
    """(name, path) of every styles.json painting present in styles_dir."""
    found = [(name, os.path.join(styles_dir, s["file"])) for name, s in load_style_table().items()]
    return [(n, f) for n, f in found if os.path.exists(f)]


def identify(dist, render_im, own_path, paintings):
    """(distance to own_path, nearest painting's name, rank of own_path among paintings:
    1 = nearest, None when own_path is not one of them); the render's Grams computed once."""
    paths = [path for _, path in paintings]
    own = os.path.realpath(own_path)
    real = [os.path.realpath(path) for path in paths]
    each = dist.to_each(render_im, paths if own in real else paths + [own_path])
    own_distance = each[real.index(own)] if own in real else each.pop()
    scored = sorted(zip(each, [n for n, _ in paintings], real))
    ranked = [path for _, _, path in scored]
    rank = ranked.index(own) + 1 if own in ranked else None
    return own_distance, scored[0][1], rank


def checkpoint_renders(ckpt, photo, width, only=None):
    """(style, render) for each of the checkpoint's styles, or of those named in only."""
    from export import load_checkpoint
    from preview import render
    net, state = load_checkpoint(ckpt)
    missing = [n for n in only or [] if n not in state["styles"]]
    if missing:
        sys.exit(f"error: {ckpt} has no style {', '.join(missing)}; it has {', '.join(state['styles'])}")
    im = photo.resize((width, round(photo.height * width / photo.width) // 4 * 4), Image.LANCZOS)
    n = net.styles
    return [(name, render(net, im, np.eye(n)[i].tolist())) for i, name in enumerate(state["styles"])
            if only is None or name in only]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)  # --styles is not --styles-dir
    p.add_argument("photo")
    p.add_argument("renders", nargs="*", metavar="NAME=RENDER")
    p.add_argument("--checkpoint")
    p.add_argument("--width", type=int, default=480, help="render width with --checkpoint")
    p.add_argument("--styles", help="with --checkpoint: only these styles (comma-separated)")
    p.add_argument("--vgg", default=None)
    p.add_argument("--styles-dir", default=STYLES_DIR, help="the paintings (default ../shared/training/styles)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json", help="also write the table here")
    p.add_argument("--patches", action="store_true", help="also the patch distance (see above)")
    p.add_argument("--identify", action="store_true",
                   help="also the nearest of all styles.json paintings and the own painting's rank (see above)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    photo = Image.open(a.photo).convert("RGB")
    if a.checkpoint:
        pairs = checkpoint_renders(a.checkpoint, photo, a.width, a.styles.split(",") if a.styles else None)
    else:
        if a.styles:
            sys.exit("error: --styles picks a checkpoint's styles; with renders, name only the ones to score")
        pairs = []
        for spec in a.renders:
            name, _, path = spec.partition("=")
            if not path:
                sys.exit(f"error: {spec}: expected NAME=RENDER")
            pairs.append((name, Image.open(path).convert("RGB")))
    dist = StyleDistance(a.vgg)
    patches = PatchDistance(a.vgg) if a.patches else None
    paintings = all_paintings(a.styles_dir) if a.identify else None
    if a.identify and len(paintings) < 2:
        sys.exit(f"error: --identify needs the styles.json paintings in {a.styles_dir}; found {len(paintings)}")
    rows = []
    for name, im in pairs:
        painting = painting_path(name, a.styles_dir)
        flat = photo.resize(im.size, Image.LANCZOS)
        if paintings:
            d, nearest, rank = identify(dist, im, painting, paintings)
        else:
            d = dist(im, painting)
        e = edge_correlation(im, photo)
        base = dist(flat, painting)
        rows.append({"style": name, "distance": d, "edges": e, "photo_distance": base})
        extra = ""
        if patches:
            rows[-1]["patches"] = patches(im, painting)
            rows[-1]["photo_patches"] = patches(flat, painting)
            extra = f"  patches {rows[-1]['patches']:.3f} (photo {rows[-1]['photo_patches']:.3f})"
        if paintings:
            rows[-1]["nearest"], rows[-1]["rank"] = nearest, rank
            extra += f"  nearest {nearest} (own painting {'#%d' % rank if rank else 'not in styles.json'})"
        print(f"{name:14s} distance {d:.3f}  edges {e:.3f}  (unstyled photo {base:.3f}){extra}", flush=True)
    if rows:
        extra = ""
        if patches:
            extra = (f"  patches {np.mean([r['patches'] for r in rows]):.3f} "
                     f"(photo {np.mean([r['photo_patches'] for r in rows]):.3f})")
        print(f"{'mean':14s} distance {np.mean([r['distance'] for r in rows]):.3f}  "
              f"edges {np.mean([r['edges'] for r in rows]):.3f}  "
              f"(unstyled photo {np.mean([r['photo_distance'] for r in rows]):.3f}){extra}")
        print(f"{'max':14s} distance {max(r['distance'] for r in rows):.3f}")
        if paintings:
            named = sum(r["rank"] == 1 for r in rows)
            print(f"{'named':14s} {named} of {len(rows)} renders are nearest their own painting "
                  f"(of {len(paintings)} paintings)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
