#!/usr/bin/python3
"""The shipped pack (resources/styles/default.stylepack): every style has its credits and
a thumbnail, renders through the engine (stylize-cli), and differs from the others.
Exits 77 (ctest SKIP) without numpy/PIL, without the pack or without STYLIZE_CLI."""
import itertools
import json
import os
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
PACK = os.path.normpath(os.path.join(HERE, "../../resources/styles/default.stylepack"))
CLI = os.environ.get("STYLIZE_CLI", "")


def pack_json(path):
    with open(path, "rb") as f:
        head = f.read(48)
        _, jo, js, _, _ = struct.unpack("<IQQQQ", head[12:])
        f.seek(jo)
        return json.loads(f.read(js))


class DefaultPackTest(unittest.TestCase):
    def test_credits_and_thumbnails(self):
        doc = pack_json(PACK)
        self.assertGreaterEqual(len(doc["styles"]), 6)
        for s in doc["styles"]:
            for k in ("name", "title", "artist", "year", "source", "license"):
                self.assertTrue(s[k], f"style {s.get('name')}: empty {k}")
            self.assertIsNotNone(s["thumbnail"], s["name"])
        self.assertLessEqual(os.path.getsize(PACK), 20 << 20)

    def test_each_style_renders_and_differs(self):
        names = [s["name"] for s in pack_json(PACK)["styles"]]
        rng = np.random.RandomState(1)
        img = Image.fromarray(rng.randint(0, 256, (6, 8, 3)).astype(np.uint8)).resize((64, 48), Image.BILINEAR)
        outs = {}
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "in.png")
            img.save(src)
            for n in names:
                dst = os.path.join(d, n + ".png")
                r = subprocess.run([CLI, "image", src, dst, "--model", PACK, "--style", n],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                outs[n] = np.asarray(Image.open(dst).convert("RGB"), np.float32)
        for a, b in itertools.combinations(names, 2):
            self.assertGreater(np.abs(outs[a] - outs[b]).mean(), 3.0, f"{a} and {b} render alike")


if __name__ == "__main__":
    if not os.path.exists(PACK):
        print(f"skipping: {PACK} is not there yet")
        sys.exit(77)
    if not CLI or not os.path.exists(CLI):
        print("skipping: STYLIZE_CLI is not set to a built stylize-cli")
        sys.exit(77)
    unittest.main()
