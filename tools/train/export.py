#!/usr/bin/python3
"""Exports a training checkpoint to a Stylize style pack (.stylepack) with each style's
credits (from styles.json) and a thumbnail of its painting."""
import argparse
import json
import os

import torch
from PIL import Image

from checkpoint_file import load_checkpoint_file
from network import VARIANTS, StyleNet
from stylepack import write_stylepack

HERE = os.path.dirname(os.path.abspath(__file__))


def load_checkpoint(path):
    state = load_checkpoint_file(path)
    v = VARIANTS[state["variant"]]
    net = StyleNet(len(state["styles"]), v["widths"], v["blocks"])
    net.load_state_dict(state["model"])
    return net.eval(), state


def thumbnail(path, size):
    im = Image.open(path).convert("RGB")
    s = size / min(im.size)
    im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.LANCZOS)
    x, y = (im.width - size) // 2, (im.height - size) // 2
    return im.crop((x, y, x + size, y + size))


def export(checkpoint, out, pack_name, styles_dir, thumb_size=96):
    net, state = load_checkpoint(checkpoint)
    table = {s["name"]: s for s in json.load(open(os.path.join(HERE, "styles.json")))}
    infos, thumbs = [], []
    for name in state["styles"]:
        s = table[name]
        infos.append(s)
        f = os.path.join(styles_dir, s["file"]) if styles_dir else None
        thumbs.append(thumbnail(f, thumb_size) if f and os.path.exists(f) else None)
    write_stylepack(out, net, infos, pack_name, thumbs)
    return net, state


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("out", help="the .stylepack file to write")
    p.add_argument("--name", default="Stylize paintings")
    p.add_argument("--styles-dir", default=os.path.join(HERE, "data", "styles"),
                   help="paintings for the thumbnails (fetch_data.py puts them here)")
    p.add_argument("--thumb-size", type=int, default=96)
    a = p.parse_args()
    torch.set_num_threads(2)
    _, state = export(a.checkpoint, a.out, a.name, a.styles_dir, a.thumb_size)
    print(f"wrote {a.out}: {len(state['styles'])} styles ({', '.join(state['styles'])}), "
          f"{state['variant']} network at step {state['step']}, {os.path.getsize(a.out)} bytes")


if __name__ == "__main__":
    main()
