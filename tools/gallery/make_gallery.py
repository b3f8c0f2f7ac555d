#!/usr/bin/python3
"""Renders docs/gallery/ with stylize-cli (the Vulkan engine): for every style of a pack,
chicago.jpg and one frame of three clips from ../shared/fixtures, plus a 50/50 blend of
the first two styles; and a contact sheet per input (original | styles... | blend).

usage: make_gallery.py STYLIZE_CLI PACK OUT_DIR [--shared ../shared] [--width 480] [--sheets-only]

A sheet holds at most 8 tiles a row (a fourteen-style pack: two rows). --sheets-only lays
the sheets out again from the renders already in OUT_DIR, rendering nothing: the styles and
the blend come from OUT_DIR/index.json (written by the run that rendered them), so neither
STYLIZE_CLI nor PACK is run or read; only the "original" tiles are decoded again (ffmpeg).
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


def load_index(out):
    """The styles and blend of the renders in `out`, from the index.json its rendering run wrote."""
    path = os.path.join(out, "index.json")
    try:
        with open(path) as f:
            index = json.load(f)
        return index["pack"], index["styles"], index["blend"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SystemExit(f"error: --sheets-only: cannot read the styles from {path} ({e}): "
                         f"run without --sheets-only to render {out} first")


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
    p.add_argument("--sheets-only", action="store_true", help="re-lay the sheets from OUT_DIR's renders")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.sheets_only:
        pack_name, styles, blend = load_index(a.out)
    else:
        pack_name, styles = os.path.basename(a.pack), styles_of(a.cli, a.pack)
        blend = f"{styles[0]}=0.5,{styles[1]}=0.5"
    columns = [(s, s) for s in styles] + [(f"{styles[0]}+{styles[1]}", blend)]
    if a.sheets_only:
        missing = [f"{name}-{label}.jpg" for name in ["chicago"] + [n for n, _, _ in FRAMES] for label, _ in columns
                   if not os.path.exists(os.path.join(a.out, f"{name}-{label}.jpg"))]
        if missing:
            raise SystemExit(f"error: --sheets-only: {a.out} lacks {len(missing)} renders of {pack_name} "
                             f"(first {missing[0]}): run without --sheets-only")
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
                if a.sheets_only:
                    im = Image.open(dst).convert("RGB")
                else:
                    png = os.path.join(tmp, "out.png")
                    render(a.cli, a.pack, src, png, style, a.width)
                    im = Image.open(png).convert("RGB")
                    im.save(dst, quality=85)
                    print("wrote", dst, flush=True)
                tiles.append((label, im))
                index.setdefault(name, []).append(os.path.basename(dst))
            sheet(tiles, a.width // 2, os.path.join(a.out, f"sheet-{name}.jpg"))
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump({"pack": pack_name, "styles": styles, "blend": blend, "renders": index}, f, indent=1)


def sheet(tiles, width, path, per_row=8):
    """Rows of at most per_row tiles, balanced (16 tiles: two rows of 8; 12: two of 6),
    each tile scaled to `width`, its label under it."""
    scaled = [(label, im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)) for label, im in tiles]
    rows = -(-len(scaled) // per_row)
    cols = -(-len(scaled) // rows)
    h = max(im.height for _, im in scaled) + 18
    out = Image.new("RGB", (width * cols, h * rows), "white")
    draw = ImageDraw.Draw(out)
    for i, (label, im) in enumerate(scaled):
        x, y = (i % cols) * width, (i // cols) * h
        out.paste(im, (x, y))
        draw.text((x + 4, y + h - 15), label, fill="black")
    out.save(path, quality=88)
    print("wrote", path, flush=True)


if __name__ == "__main__":
    main()
