#!/usr/bin/python3
"""Checks tools/gallery/make_gallery.py --sheets-only: it lays the contact sheets out
again from the renders in OUT_DIR and the styles in its index.json, without running or
reading STYLIZE_CLI or PACK, and names what is missing when it cannot.

Fake renders (one solid colour per style) stand in for the engine's, so the test also
sees that each tile is the render of its column, in the index's order.

usage: gallery_sheets_only.py REPO_DIR SHARED_DIR
Exit 77 (ctest SKIP) without PIL or the fixtures.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    from PIL import Image
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e}; install python3-pil")
    sys.exit(77)

INPUTS = ["chicago", "cockatoo", "dog", "megamind"]
COLOURS = {"alpha": (220, 30, 30), "beta": (30, 200, 40), "alpha+beta": (30, 40, 210)}
WIDTH = 160  # --width: renders this wide, sheet tiles half of it


def run(repo, shared, out):
    return subprocess.run([sys.executable, os.path.join(repo, "tools/gallery/make_gallery.py"),
                           "/nonexistent/stylize-cli", "/nonexistent/pack.stylepack", out, "--shared", shared,
                           "--width", str(WIDTH), "--sheets-only"], capture_output=True, text=True)


def main():
    repo, shared = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(shared, "fixtures/images/chicago.jpg")):
        print(f"SKIP: {shared}/fixtures not found")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as out:
        index = {"pack": "test.stylepack", "styles": ["alpha", "beta"], "blend": "alpha=0.5,beta=0.5",
                 "renders": {name: [f"{name}-{label}.jpg" for label in COLOURS] for name in INPUTS}}
        with open(os.path.join(out, "index.json"), "w") as f:
            json.dump(index, f, indent=1)
        for name in INPUTS:
            for label, colour in COLOURS.items():
                Image.new("RGB", (WIDTH, 90), colour).save(os.path.join(out, f"{name}-{label}.jpg"), quality=95)

        r = run(repo, shared, out)
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            return 1
        for name in INPUTS:
            sheet = Image.open(os.path.join(out, f"sheet-{name}.jpg")).convert("RGB")
            tile = WIDTH // 2  # original | alpha | beta | alpha+beta: one row of 4
            if sheet.width != 4 * tile:
                failures.append(f"sheet-{name}.jpg is {sheet.width} wide, expected 4 tiles of {tile}")
                continue
            for i, (label, colour) in enumerate(COLOURS.items(), start=1):
                got = sheet.getpixel((i * tile + tile // 2, 20))
                if max(abs(a - b) for a, b in zip(got, colour)) > 12:
                    failures.append(f"sheet-{name}.jpg tile {i} is {got}, expected {label}'s {colour}")
        with open(os.path.join(out, "index.json")) as f:
            if json.load(f) != index:
                failures.append("index.json changed")

        os.remove(os.path.join(out, "dog-beta.jpg"))
        r = run(repo, shared, out)
        if r.returncode == 0 or "lacks 1 renders of test.stylepack (first dog-beta.jpg)" not in r.stderr:
            failures.append(f"a missing render: exit {r.returncode}, stderr {r.stderr!r}")

        os.remove(os.path.join(out, "index.json"))
        r = run(repo, shared, out)
        if r.returncode == 0 or "index.json" not in r.stderr or "run without --sheets-only" not in r.stderr:
            failures.append(f"no index.json: exit {r.returncode}, stderr {r.stderr!r}")
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
