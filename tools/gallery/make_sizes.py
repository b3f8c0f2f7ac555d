#!/usr/bin/python3
"""Renders docs/gallery/sizes/ and docs/gallery/wave-vs-engstrom.jpg with stylize-cli:
chicago.jpg at the brush sizes the app paints (light pack 256x144 and 480x270, the CPU
driver's automatic brush; full pack 640x360 for every style and 1280x720 for wave and
starry, GPUs; every style the packs hold), and one sheet: chicago, Engstrom's published chicago_wave.jpg, our light
and full wave at 480 px.

usage: make_sizes.py STYLIZE_CLI LIGHT_PACK FULL_PACK GALLERY_DIR [--shared ../shared]
"""
import argparse
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_gallery import styles_of  # noqa: E402


def render(cli, pack, src, dst, style, size):
    subprocess.run([cli, "image", src, dst, "--model", pack, "--style", style, "--size", size, "--precision", "fp32"],
                   check=True, capture_output=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cli")
    p.add_argument("light")
    p.add_argument("full")
    p.add_argument("gallery")
    p.add_argument("--shared", default=os.path.normpath(os.path.join(HERE, "../../../shared")))
    a = p.parse_args()
    chicago = os.path.join(a.shared, "fixtures/images/chicago.jpg")
    sizes = os.path.join(a.gallery, "sizes")
    os.makedirs(sizes, exist_ok=True)
    jobs = [("light", a.light, s, st) for s in ("256x144", "480x270") for st in styles_of(a.cli, a.light)]
    jobs += [("full", a.full, "640x360", st) for st in styles_of(a.cli, a.full)]
    jobs += [("full", a.full, "1280x720", st) for st in ("wave", "starry")]
    for variant, pack, size, style in jobs:
        render(a.cli, pack, chicago, os.path.join(sizes, f"chicago-{variant}-{size}-{style}.jpg"), style, size)
        print(f"sizes: {variant} {size} {style}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        columns = [("chicago.jpg", Image.open(chicago).convert("RGB")),
                   ("Engstrom's wave (published)",
                    Image.open(os.path.join(a.shared, "fixtures/images/engstrom-results/chicago_wave.jpg")).convert("RGB"))]
        for variant, pack in (("light", a.light), ("full", a.full)):
            out = os.path.join(tmp, f"{variant}.jpg")
            render(a.cli, pack, chicago, out, "wave", "480x320")
            columns.append((f"ours, {variant}", Image.open(out).convert("RGB")))
        w, h = 480, 320
        sheet = Image.new("RGB", (w * len(columns), h + 24), "white")
        draw = ImageDraw.Draw(sheet)
        for i, (label, im) in enumerate(columns):
            sheet.paste(im.resize((w, h), Image.LANCZOS), (i * w, 24))
            draw.text((i * w + 6, 5), label, fill="black")
        sheet.save(os.path.join(a.gallery, "wave-vs-engstrom.jpg"), quality=90)
    print("wrote", os.path.join(a.gallery, "wave-vs-engstrom.jpg"))


if __name__ == "__main__":
    main()
