#!/usr/bin/python3
"""Checks stylize-cli against PyTorch on a real photo and a real pretrained model.

Runs `stylize-cli image` on ../shared/fixtures/images/chicago.jpg with an Engstrom/ml5
checkpoint, runs the float32 PyTorch reference (../shared/reference/engstrom_ref.py) on
the same input, and requires PSNR >= 40 dB between the two, and our PSNR against
Engstrom's published render within 0.5 dB of the reference's own.

usage: engstrom_psnr.py STYLIZE_CLI SHARED_DIR STYLE [--precision fp32|fp16]
Exit 77 (ctest SKIP) without torch or fixtures.
"""
import argparse
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from PIL import Image
except ImportError as e:  # pragma: no cover
    print(f"SKIP: {e}; install python3-numpy and python3-pil")
    sys.exit(77)


def psnr(a, b):
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def load(path):
    return np.asarray(Image.open(path).convert("RGB"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("shared")
    ap.add_argument("style")
    ap.add_argument("--precision", default=None)
    args = ap.parse_args()

    fixtures = os.path.join(args.shared, "fixtures")
    model = os.path.join(fixtures, "models", "engstrom-ml5", args.style)
    image = os.path.join(fixtures, "images", "chicago.jpg")
    published = os.path.join(fixtures, "images", "engstrom-results", f"chicago_{args.style}.jpg")
    reference_script = os.path.join(args.shared, "reference", "engstrom_ref.py")
    if not os.path.isdir(model) or not os.path.exists(reference_script):
        print(f"SKIP: fixtures not found under {args.shared}")
        return 77
    try:
        import torch  # noqa: F401
    except ImportError:
        print("SKIP: PyTorch (python3-torch) is not installed")
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        ours_path = os.path.join(tmp, "ours.png")
        ref_path = os.path.join(tmp, "reference.png")
        cmd = [args.cli, "image", image, ours_path, "--model", model]
        if args.precision:
            cmd += ["--precision", args.precision]
        subprocess.run(cmd, check=True)
        subprocess.run([sys.executable, reference_script, model, image, ref_path], check=True,
                       stdout=subprocess.DEVNULL)
        ours, ref = load(ours_path), load(ref_path)
        if ours.shape != ref.shape:
            print(f"FAIL: output is {ours.shape}, reference {ref.shape}")
            return 1
        vs_ref = psnr(ours, ref)
        line = f"{args.style} ({args.precision or 'default precision'}): PSNR vs PyTorch {vs_ref:.2f} dB"
        ok = vs_ref >= 40.0
        if os.path.exists(published):
            pub = load(published)
            ours_pub, ref_pub = psnr(ours, pub), psnr(ref, pub)
            line += f"; vs published ours {ours_pub:.3f} dB, PyTorch {ref_pub:.3f} dB"
            ok = ok and abs(ours_pub - ref_pub) <= 0.5
        print(("PASS: " if ok else "FAIL: ") + line)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
