#!/usr/bin/python3
"""Renders docs/gallery/pictures/: pictures as styles through Magenta's arbitrary-style
model (stylize-cli image --model MAGENTA_DIR --style-image PICTURE, the Vulkan engine),
beside our own pack's renders of the same paintings, with the VGG style distance and the
edge correlation of both (tools/train/evaluate.py).

Pictures: the six paintings of our pack, a photo and a texture. Inputs: chicago.jpg and
the cockatoo and dog frames of make_gallery.py. A sheet per input, two rows: our pack
(original | six styles) and the pictures (original | six paintings | photo | texture),
each tile labelled with the picture's name.

Also strength.jpg: strength as an output mix (--strength s: the stylized frame mixed
with the original) above strength as a vector mix (Magenta's way: the picture's style
vector mixed with the content's own, --style-image PICTURE=s,CONTENT=1-s), on chicago
with The Great Wave at 0.25, 0.5, 0.75 and 1.

usage: make_pictures.py STYLIZE_CLI MAGENTA_DIR PACK OUT_DIR [--shared ../shared]
         [--photo PHOTO] [--texture TEXTURE] [--width 480] [--strength-only]
The photo and texture default to two pictures of tools/train/data (fetch_data.py: Debian
packages palapeli-data and python3-skimage).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = os.path.normpath(os.path.join(HERE, "../train"))
sys.path.insert(0, TRAIN)
from make_gallery import FRAMES  # noqa: E402  the same clip frames as the pack's gallery

PACK_STYLES = ["wave", "starry", "composition", "moulin", "harvesters", "snow"]


def render(cli, args, src, dst, width):
    im = Image.open(src)
    h = round(im.height * width / im.width) // 4 * 4
    subprocess.run([cli, "image", src, dst, "--size", f"{width}x{h}", "--precision", "fp32"] + args, check=True,
                   capture_output=True, text=True)


def evaluate(photo, pairs, json_path):
    """tools/train/evaluate.py on NAME=RENDER pairs, NAME a painting path; rows back."""
    subprocess.run(["/usr/bin/python3", os.path.join(TRAIN, "evaluate.py"), photo] +
                   [f"{painting}={path}" for painting, path in pairs] + ["--json", json_path], check=True, cwd=TRAIN)
    with open(json_path) as f:
        return json.load(f)


def sheet(rows, width, path):
    """Rows of (label, image) tiles, each tile scaled to `width`, its label under it."""
    rows = [[(label, im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)) for label, im in r]
            for r in rows]
    h = max(im.height for r in rows for _, im in r) + 18
    out = Image.new("RGB", (width * max(len(r) for r in rows), h * len(rows)), "white")
    draw = ImageDraw.Draw(out)
    for y, r in enumerate(rows):
        for x, (label, im) in enumerate(r):
            out.paste(im, (x * width, y * h))
            draw.text((x * width + 4, y * h + h - 15), label, fill="black")
    out.save(path, quality=88)
    print("wrote", path, flush=True)


def strength_sheet(cli, magenta, content, painting, width, path):
    rows = [[], []]
    with tempfile.TemporaryDirectory() as tmp:
        for s in (0.25, 0.5, 0.75, 1.0):
            out_mix, vector_mix = os.path.join(tmp, f"out-{s}.png"), os.path.join(tmp, f"vec-{s}.png")
            render(cli, ["--model", magenta, "--style-image", painting, "--strength", str(s)], content, out_mix, width)
            rows[0].append((f"output mix {s}", Image.open(out_mix).convert("RGB")))
            if s < 1:
                render(cli, ["--model", magenta, "--style-image", f"{painting}={s},{content}={1 - s:g}"], content,
                       vector_mix, width)
            else:
                vector_mix = out_mix  # both are the picture's style alone
            rows[1].append((f"vector mix {s}", Image.open(vector_mix).convert("RGB")))
    sheet(rows, width * 3 // 4, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("cli")
    p.add_argument("magenta")
    p.add_argument("pack")
    p.add_argument("out")
    p.add_argument("--shared", default=os.path.normpath(os.path.join(HERE, "../../../shared")))
    p.add_argument("--photo", default=os.path.join(TRAIN, "data/content/palapeli-data__citrus-fruits.jpg"))
    p.add_argument("--texture", default=os.path.join(TRAIN, "data/content/python3-skimage__gravel.jpg"))
    p.add_argument("--width", type=int, default=480)
    p.add_argument("--strength-only", action="store_true", help="only strength.jpg")
    a = p.parse_args()
    a.out = os.path.abspath(a.out)
    for path in (a.photo, a.texture):
        if not os.path.exists(path):
            sys.exit(f"error: {path} not found (run tools/train/fetch_data.py, or give --photo/--texture)")
    table = {s["name"]: s for s in json.load(open(os.path.join(TRAIN, "styles.json")))}
    paintings = [(name, os.path.join(a.shared, "training/styles", table[name]["file"])) for name in PACK_STYLES]
    pictures = paintings + [("photo", a.photo), ("texture", a.texture)]
    os.makedirs(a.out, exist_ok=True)
    chicago = os.path.join(a.shared, "fixtures/images/chicago.jpg")
    strength_sheet(a.cli, a.magenta, chicago, paintings[0][1], a.width, os.path.join(a.out, "strength.jpg"))
    if a.strength_only:
        return
    index = {"pictures": {name: os.path.basename(path) for name, path in pictures}, "renders": {}, "scores": {}}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [("chicago", chicago)]
        for name, clip, t in FRAMES:
            if name == "megamind":
                continue
            png = os.path.join(tmp, name + ".png")
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", str(t), "-i", os.path.join(a.shared, "fixtures", clip),
                            "-frames:v", "1", png], check=True)
            inputs.append((name, png))
        for name, src in inputs:
            original = ("original", Image.open(src).convert("RGB"))
            pack_row, picture_row = [original], [original]
            pack_pairs, picture_pairs = [], []
            for style, painting in paintings:
                dst = os.path.join(tmp, f"{name}-pack-{style}.png")
                render(a.cli, ["--model", a.pack, "--style", style], src, dst, a.width)
                pack_row.append((f"pack: {style}", Image.open(dst).convert("RGB")))
                pack_pairs.append((painting, dst))
            for style, picture in pictures:
                dst = os.path.join(a.out, f"{name}-{style}.jpg")
                png = os.path.join(tmp, "out.png")
                render(a.cli, ["--model", a.magenta, "--style-image", picture], src, png, a.width)
                im = Image.open(png).convert("RGB")
                im.save(dst, quality=85)
                picture_row.append((f"picture: {style}", im))
                picture_pairs.append((picture, dst))
                index["renders"].setdefault(name, []).append(os.path.basename(dst))
                print("wrote", dst, flush=True)
            sheet([pack_row, picture_row], a.width // 2, os.path.join(a.out, f"sheet-{name}.jpg"))
            if name in ("chicago", "dog"):
                # Distances of the six paintings for both (photo and texture: to themselves).
                pack = evaluate(src, pack_pairs, os.path.join(tmp, "pack.json"))
                pics = evaluate(src, picture_pairs, os.path.join(tmp, "pictures.json"))
                index["scores"][name] = {
                    "pack": {s: {"distance": r["distance"], "edges": r["edges"]} for (s, _), r in zip(paintings, pack)},
                    "pictures": {s: {"distance": r["distance"], "edges": r["edges"], "photo": r["photo_distance"]}
                                 for (s, _), r in zip(pictures, pics)}}
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump({"pack": os.path.basename(a.pack), **index}, f, indent=1)
    print("wrote", os.path.join(a.out, "index.json"))


if __name__ == "__main__":
    main()
