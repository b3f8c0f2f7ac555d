#!/usr/bin/python3
"""Fetches the training material from Debian packages: content photos, frames of real
clips and the public-domain paintings listed in styles.json.

Everything comes from `apt-get download` + `dpkg -x` (no other network access), so anyone
can redo a training run. Content images are cropped/resized to a working size and
cached as JPEG under DATA/content; paintings land in DATA/styles.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))

# (package, glob patterns inside the extracted tree) for content photos.
CONTENT_PACKAGES = [
    ("mate-backgrounds", ["usr/share/backgrounds/mate/nature/*.jpg", "usr/share/backgrounds/mate/*/*.jpg"]),
    ("ukui-wallpapers", ["usr/share/backgrounds/*.jpg", "usr/share/backgrounds/*.png"]),
    ("lomiri-wallpapers-20.04", ["usr/share/backgrounds/*.jpg", "usr/share/wallpapers/*/*.jpg"]),
    ("palapeli-data", ["usr/share/palapeli/collection/*.jpg"]),
    ("python3-skimage", ["usr/lib/python3/dist-packages/skimage/data/*.png",
                         "usr/lib/python3/dist-packages/skimage/data/*.jpg"]),
    ("plasma-workspace-wallpapers", ["usr/share/wallpapers/*/contents/images/*.jpg",
                                     "usr/share/wallpapers/*/contents/images/*.png"]),
    # opencv-doc's samples are mostly calibration boards, logos and text: only the photos.
    ("opencv-doc", ["usr/share/doc/opencv-doc/examples/data/" + f + ".jpg" for f in (
        "aero1", "aero3", "aloeL", "apple", "baboon", "basketball1", "box_in_scene", "building",
        "butterfly", "fruits", "graf1", "home", "HappyFish", "leuvenA", "leuvenB", "messi5", "orange",
        "rubberwhale1", "smarties", "squirrel_cls", "lena", "chicky_512")]),
]
# Clips whose frames add motion blur and sensor noise to the content set.
CLIP_PACKAGES = [
    ("python3-imageio", ["usr/lib/python3/dist-packages/imageio/resources/images/*.mp4"]),
]


def download(package, cache):
    """Returns the folder the package was extracted to, downloading it if needed."""
    root = os.path.join(cache, "pkg", package)
    if os.path.isdir(root):
        return root
    os.makedirs(os.path.join(cache, "deb"), exist_ok=True)
    os.makedirs(os.path.join(cache, "pkg"), exist_ok=True)
    debs = glob.glob(os.path.join(cache, "deb", package + "_*.deb"))
    if not debs:
        subprocess.run(["apt-get", "download", package], cwd=os.path.join(cache, "deb"), check=True)
        debs = glob.glob(os.path.join(cache, "deb", package + "_*.deb"))
    subprocess.run(["dpkg", "-x", debs[0], root + ".tmp"], check=True)
    os.rename(root + ".tmp", root)
    return root


def save_content(src, dst, size):
    """Resizes so the short side is `size` (keeping the aspect), as RGB JPEG."""
    im = Image.open(src)
    if im.width < 96 or im.height < 96:
        return False
    im = im.convert("RGB")
    scale = size / min(im.size)
    if scale < 1:
        im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
    im.save(dst, quality=92)
    return True


def extract_frames(clip, out_prefix, count, size):
    """Writes `count` frames spread over a clip with ffmpeg (scaled to short side `size`)."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", clip, "-vf",
                    f"fps=1,scale='if(gt(iw,ih),-2,{size})':'if(gt(iw,ih),{size},-2)'",
                    "-frames:v", str(count), out_prefix + "_%02d.jpg"], check=False)


def fetch_content(data, size, packages, clips, cache=None):
    cache = cache or data
    out = os.path.join(data, "content")
    os.makedirs(out, exist_ok=True)
    n = 0
    for package, patterns in CONTENT_PACKAGES:
        if packages and package not in packages:
            continue
        try:
            root = download(package, cache)
        except subprocess.CalledProcessError as e:
            print(f"warning: could not fetch {package}: {e}; continuing without it", file=sys.stderr)
            continue
        seen = set()
        for pattern in patterns:
            for f in sorted(glob.glob(os.path.join(root, pattern))):
                if f in seen or os.path.islink(f) and not os.path.exists(f):
                    continue
                seen.add(f)
                name = package + "__" + os.path.splitext(os.path.basename(f))[0] + ".jpg"
                dst = os.path.join(out, name)
                try:
                    if os.path.exists(dst) or save_content(f, dst, size):
                        n += 1
                except OSError as e:
                    print(f"warning: skipping {f}: {e}", file=sys.stderr)
    for package, patterns in CLIP_PACKAGES if clips else []:
        try:
            root = download(package, cache)
        except subprocess.CalledProcessError as e:
            print(f"warning: could not fetch {package}: {e}", file=sys.stderr)
            continue
        for pattern in patterns:
            for f in sorted(glob.glob(os.path.join(root, pattern))):
                extract_frames(f, os.path.join(out, package + "__" + os.path.basename(f)), 8, size)
    print(f"{len(os.listdir(out))} content images in {out}")


def fetch_styles(data, shared, cache=None):
    cache = cache or data
    """Paintings: copies from ../shared/training/styles when present (they were
    reassembled from gcompris-qt-data's jigsaw pieces), else from the packages."""
    out = os.path.join(data, "styles")
    os.makedirs(out, exist_ok=True)
    styles = json.load(open(os.path.join(HERE, "styles.json")))
    for s in styles:
        dst = os.path.join(out, s["file"])
        if os.path.exists(dst):
            continue
        src = os.path.join(shared, s["file"]) if shared else None
        if src and os.path.exists(src):
            Image.open(src).convert("RGB").save(dst)
        elif s["package"] == "opencv-doc":
            root = download("opencv-doc", cache)
            Image.open(glob.glob(os.path.join(root, "usr/share/doc/opencv-doc/examples/data", s["file"]))[0]
                       ).convert("RGB").save(dst)
        elif s["package"] == "visp-images-data":
            root = download("visp-images-data", cache)
            Image.open(os.path.join(root, "usr/share/visp-images-data/ViSP-images/Klimt", s["file"])
                       ).convert("RGB").save(dst)
        elif s["package"] == "gcompris-qt-data":
            import gcompris_paintings
            gcompris_paintings.reassemble(download("gcompris-qt-data", cache), out)
        else:
            sys.exit(f"error: no source for painting {s['file']} (package {s['package']})")
    print(f"{len(styles)} paintings in {out}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=os.path.join(HERE, "data"), help="cache folder (not committed)")
    p.add_argument("--cache", default=None,
                   help="where the .debs and their extracted trees are kept (default: --data); another "
                        "--data with the same --cache makes a second content size without downloading again")
    p.add_argument("--size", type=int, default=384, help="short side of the cached content images")
    p.add_argument("--packages", nargs="*", help="only these content packages")
    p.add_argument("--no-clips", action="store_true", help="skip frames of clips")
    p.add_argument("--shared-styles", default=os.path.join(HERE, "../../../shared/training/styles"),
                   help="reassembled paintings to start from, if present")
    a = p.parse_args()
    fetch_styles(a.data, a.shared_styles, a.cache)
    fetch_content(a.data, a.size, a.packages, not a.no_clips, a.cache)


if __name__ == "__main__":
    main()
