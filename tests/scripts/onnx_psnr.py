#!/usr/bin/python3
"""Checks stylize-cli on a full-size PyTorch-exported TransformerNet (random weights from a
seed, tools/models/export_transformer_net.py) against PyTorch on the same photo.

Exports the ONNX file (default opset, and --opset 9 for the model zoo form), runs
`stylize-cli image` on ../shared/fixtures/images/chicago.jpg, runs the same network in
torch, and requires PSNR >= 40 dB between the two 8-bit images.

usage: onnx_psnr.py STYLIZE_CLI REPO_ROOT SHARED_DIR [--opset N] [--precision fp32|fp16]
Exit 77 (ctest SKIP) without torch or fixtures.
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as e:
    print(f"SKIP: {e}; install python3-torch, python3-numpy and python3-pil")
    sys.exit(77)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("root")
    ap.add_argument("shared")
    ap.add_argument("--opset", type=int, default=None)
    ap.add_argument("--precision", default=None)
    args = ap.parse_args()
    image_path = os.path.join(args.shared, "fixtures", "images", "chicago.jpg")
    if not os.path.exists(image_path):
        print(f"SKIP: {image_path} not found")
        return 77
    torch.set_num_threads(2)
    exporter_path = os.path.join(args.root, "tools", "models", "export_transformer_net.py")
    spec = importlib.util.spec_from_file_location("export_transformer_net", exporter_path)
    exporter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exporter)

    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = os.path.join(tmp, "transformer_net.onnx")
        gain = 150.0  # spreads the random network's output over visible levels
        cmd = [sys.executable, exporter_path, onnx_path, "--output-gain", str(gain)]
        if args.opset:
            cmd += ["--opset", str(args.opset)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours_path = os.path.join(tmp, "ours.png")
        cli = [args.cli, "image", image_path, ours_path, "--model", onnx_path]
        if args.precision:
            cli += ["--precision", args.precision]
        subprocess.run(cli, check=True)
        ours = np.asarray(Image.open(ours_path).convert("RGB"), np.float64)

        net = exporter.TransformerNet().eval()
        exporter.randomize(net, 1, False)  # the exporter's defaults: seed 1, trained-like IN params
        exporter.spread_output(net, gain)
        img = np.asarray(Image.open(image_path).convert("RGB"), np.float32)
        x = torch.from_numpy(img).permute(2, 0, 1)[None]
        with torch.no_grad():
            y = net(x)[0].permute(1, 2, 0).numpy()[: img.shape[0], : img.shape[1]]
        ref = np.clip(y, 0, 255).round()
        mse = float(((ours - ref) ** 2).mean())
        psnr = float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
        spread = float(ref.std())
        label = f"TransformerNet ONNX (opset {args.opset or 'default'}, {args.precision or 'default precision'})"
        print(f"{label}: PSNR vs PyTorch {psnr:.2f} dB (reference image std {spread:.1f})")
        if spread < 5:
            print("FAIL: the reference image is nearly uniform; the comparison would prove nothing")
            return 1
        return 0 if psnr >= 40 else 1


if __name__ == "__main__":
    sys.exit(main())
