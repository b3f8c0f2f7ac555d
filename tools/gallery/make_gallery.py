#!/usr/bin/python3
"""Renders docs/gallery/ with stylize-cli (the Vulkan engine): for every style of a pack,
chicago.jpg and one frame of three clips from ../shared/fixtures, plus a 50/50 blend of
the first two styles; and a contact sheet per input (original | styles... | blend).

usage: make_gallery.py STYLIZE_CLI PACK OUT_DIR [--shared ../shared] [--width 480]
"""
import argparse
import json
import os
import subprocess
import tempfile

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
# (name, clip, time in seconds): a bird, a dog and a face in the Debian clips.
FRAMES = [("cockatoo", "videos/cockatoo.mp4", 2.0), ("dog", "videos/VID_20191220_170832.mp4", 0.8),
          ("megamind", "videos/Megamind.avi", 5.0)]


def styles_of(cli, pack):
    out = subprocess.run([cli, "styles", "--model", pack], check=True, capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def render(cli, pack, src, dst, style, width):
    im = Image.open(src)
    h = round(im.height * width / im.width) // 4 * 4
    subprocess.run([cli, "image", src, dst, "--model", pack, "--style", style, "--size", f"{width}x{h}",
                    "--precision", "fp32"], check=True, capture_output=True, text=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cli")
    p.add_argument("pack")
    p.add_argument("out")
    p.add_argument("--shared", default=os.path.normpath(os.path.join(HERE, "../../../shared")))
    p.add_argument("--width", type=int, default=480)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    styles = styles_of(a.cli, a.pack)
    blend = f"{styles[0]}=0.5,{styles[1]}=0.5"
    columns = [(s, s) for s in styles] + [(f"{styles[0]}+{styles[1]}", blend)]
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [("chicago", os.path.join(a.shared, "fixtures/images/chicago.jpg"))]
        for name, clip, t in FRAMES:
            png = os.path.join(tmp, name + ".png")
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(t), "-i", os.path.join(a.shared, "fixtures", clip),
                            "-frames:v", "1", png], check=True)
            inputs.append((name, png))
        index = {}
        for name, src in inputs:
            tiles = [("original", Image.open(src).convert("RGB"))]
            for label, style in columns:
                dst = os.path.join(a.out, f"{name}-{label}.jpg")
                png = os.path.join(tmp, "out.png")
                render(a.cli, a.pack, src, png, style, a.width)
                im = Image.open(png).convert("RGB")
                im.save(dst, quality=85)
                tiles.append((label, im))
                index.setdefault(name, []).append(os.path.basename(dst))
                print("wrote", dst, flush=True)
            sheet(tiles, a.width // 2, os.path.join(a.out, f"sheet-{name}.jpg"))
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump({"pack": os.path.basename(a.pack), "styles": styles, "blend": blend, "renders": index}, f, indent=1)


def sheet(tiles, width, path):
    """One row: each tile scaled to `width`, its label under it."""
    scaled = [(label, im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)) for label, im in tiles]
    h = max(im.height for _, im in scaled)
    out = Image.new("RGB", (width * len(scaled), h + 18), "white")
    draw = ImageDraw.Draw(out)
    for i, (label, im) in enumerate(scaled):
        out.paste(im, (i * width, 0))
        draw.text((i * width + 4, h + 3), label, fill="black")
    out.save(path, quality=88)
    print("wrote", path, flush=True)


if __name__ == "__main__":
    main()
