#!/usr/bin/python3
"""The shipped packs (resources/styles/default.stylepack and default-light.stylepack):
every style has its credits and a thumbnail, renders through the engine (stylize-cli),
and differs from the others; both variants hold the same styles; `stylize-cli styles`
lists them and `stylize-cli image --style NAME` uses the bundled pack without --model.
Exits 77 (ctest SKIP) without numpy/PIL, without any pack or without STYLIZE_CLI."""
import itertools
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    from PIL import Image
except ImportError as e:  # pragma: no cover
    print(f"skipping: {e}")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
STYLES = os.path.normpath(os.path.join(HERE, "../../resources/styles"))
PACKS = [p for p in (os.path.join(STYLES, "default.stylepack"), os.path.join(STYLES, "default-light.stylepack"))
         if os.path.exists(p)]
CLI = os.environ.get("STYLIZE_CLI", "")


def pack_json(path):
    with open(path, "rb") as f:
        head = f.read(48)
        _, jo, js, _, _ = struct.unpack("<IQQQQ", head[12:])
        f.seek(jo)
        return json.loads(f.read(js))


def names(pack):
    return [s["name"] for s in pack_json(pack)["styles"]]


def render(src, dst, *extra):
    r = subprocess.run([CLI, "image", src, dst, *extra], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"stylize-cli image {' '.join(extra)}: {r.stderr}")
    return np.asarray(Image.open(dst).convert("RGB"), np.float32)


def is_cpu_device(name):
    """Whether `stylize-cli devices` lists the device called `name` as a CPU device."""
    out = subprocess.run([CLI, "devices"], capture_output=True, text=True).stdout
    return any(name + " (CPU" in line for line in out.splitlines())


class DefaultPackTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        rng = np.random.RandomState(1)
        self.src = os.path.join(self.dir.name, "in.png")
        Image.fromarray(rng.randint(0, 256, (6, 8, 3)).astype(np.uint8)).resize((64, 48), Image.BILINEAR).save(self.src)

    def tearDown(self):
        self.dir.cleanup()

    def test_credits_and_thumbnails(self):
        total = 0
        for pack in PACKS:
            doc = pack_json(pack)
            self.assertGreaterEqual(len(doc["styles"]), 6, pack)
            for s in doc["styles"]:
                for k in ("name", "title", "artist", "year", "source", "license"):
                    self.assertTrue(s[k], f"{pack}: style {s.get('name')}: empty {k}")
                self.assertIsNotNone(s["thumbnail"], s["name"])
            total += os.path.getsize(pack)
        self.assertLessEqual(total, 20 << 20)

    def test_variants_hold_the_same_styles(self):
        self.assertEqual(len({tuple(names(p)) for p in PACKS}), 1, PACKS)

    def test_each_style_renders_and_differs(self):
        for pack in PACKS:
            outs = {n: render(self.src, os.path.join(self.dir.name, n + ".png"), "--model", pack, "--style", n)
                    for n in names(pack)}
            for a, b in itertools.combinations(outs, 2):
                self.assertGreater(np.abs(outs[a] - outs[b]).mean(), 3.0, f"{pack}: {a} and {b} render alike")

    def test_cli_lists_and_uses_the_bundled_pack(self):
        r = subprocess.run([CLI, "styles"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual([l.split()[0] for l in lines], names(PACKS[0]))
        style = names(PACKS[0])[1]
        dst = os.path.join(self.dir.name, "implicit.png")
        r = subprocess.run([CLI, "image", self.src, dst, "--style", style], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        implicit = np.asarray(Image.open(dst).convert("RGB"), np.float32)
        # "... stylized with S on DEVICE (fp16), written to ...": the light pack on a CPU
        # device (lavapipe) when there is one, else the full one.
        device = re.search(r" on (.*) \((?:fp16|fp32)\), written", r.stdout).group(1)
        chosen = PACKS[-1] if is_cpu_device(device) else PACKS[0]
        explicit = render(self.src, os.path.join(self.dir.name, "explicit.png"), "--model", chosen, "--style", style)
        np.testing.assert_array_equal(implicit, explicit)


if __name__ == "__main__":
    if not PACKS:
        print(f"skipping: no default*.stylepack in {STYLES} yet")
        sys.exit(77)
    if not CLI or not os.path.exists(CLI):
        print("skipping: STYLIZE_CLI is not set to a built stylize-cli")
        sys.exit(77)
    unittest.main()
