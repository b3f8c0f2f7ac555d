"""Render teacher pictures for train.py's --teacher term: every content image painted with
a style's painting through Magenta's arbitrary-style model (Ghiasi et al. 2017, Apache-2.0;
the model files live in ../shared/fixtures/models/magenta-arbitrary, never in this repo),
by the engine's own `stylize-cli image --style-image`, at the content image's size.

    /usr/bin/python3 teacher.py ../../build/app/stylize-cli MODEL_DIR --styles wave [--data data]

writes DATA/teacher/<style>/<content file stem>.png, skipping those already there, and
prints progress with an ETA. train.py crops the teacher picture exactly where it crops the
content image, so a style's render can be pulled toward Magenta's on the same pixels."""
import argparse
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def content_files(folder):
    return sorted(glob.glob(os.path.join(folder, "*.jpg")) + glob.glob(os.path.join(folder, "*.png")))


def teacher_file(folder, content_file):
    """Where one style's teacher folder holds its picture of content_file."""
    return os.path.join(folder, os.path.splitext(os.path.basename(content_file))[0] + ".png")


def teacher_path(data, style, content_file):
    return teacher_file(os.path.join(data, "teacher", style), content_file)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("cli", help="stylize-cli")
    p.add_argument("model", help="Magenta's arbitrary-style model folder")
    p.add_argument("--styles", required=True, help="comma-separated style names from styles.json")
    p.add_argument("--data", default=os.path.join(HERE, "data"), help="fetch_data.py's folder")
    args = p.parse_args(argv)
    with open(os.path.join(HERE, "styles.json")) as f:
        table = {s["name"]: s for s in json.load(f)}
    names = args.styles.split(",")
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"error: --styles: {unknown} not in styles.json")
    files = content_files(os.path.join(args.data, "content"))
    if not files:
        sys.exit(f"error: no content images in {os.path.join(args.data, 'content')}; run fetch_data.py first")
    stems = [os.path.splitext(os.path.basename(f))[0] for f in files]
    twins = sorted({os.path.basename(f) for f, st in zip(files, stems) if stems.count(st) > 1})
    if twins:
        sys.exit(f"error: content images {twins} share a name but for the extension; their teacher "
                 "pictures would be one file: rename one")
    jobs = [(n, f) for n in names for f in files if not os.path.exists(teacher_path(args.data, n, f))]
    started = time.time()
    for i, (name, f) in enumerate(jobs):
        painting = os.path.join(args.data, "styles", table[name]["file"])
        out = teacher_path(args.data, name, f)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        part = out + ".part.png"
        r = subprocess.run([args.cli, "image", f, part, "--model", args.model, "--style-image", painting],
                           capture_output=True, text=True)
        if r.returncode != 0:
            if os.path.exists(part):
                os.remove(part)
            sys.exit(f"error: {args.cli} failed on {f} with {painting}: {r.stderr.strip()}")
        os.replace(part, out)
        done = i + 1
        eta = (time.time() - started) / done * (len(jobs) - done)
        print(f"{done}/{len(jobs)} ({100 * done / len(jobs):.0f}%) {name} {os.path.basename(f)}, "
              f"ETA {eta / 60:.1f} min", flush=True)
    print(f"{len(jobs)} teacher pictures written under {os.path.join(args.data, 'teacher')}")


if __name__ == "__main__":
    main()
