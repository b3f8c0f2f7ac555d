#!/usr/bin/python3
"""Times the fast_neural_style TransformerNet in PyTorch on the CPU; prints one JSON line.

Builds the network with tools/models/export_transformer_net.py's classes and weights
(same --widths/--blocks/--seed as the exported ONNX file, so it is the same model), runs
warm-ups, then reports the median of --runs timed forward passes. Run with Debian's
/usr/bin/python3 (python3-torch). See tools/bench/README.md.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import torch  # noqa: E402
from export_transformer_net import TransformerNet, randomize  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="256x256", help="WIDTHxHEIGHT of the frame")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median reported)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--widths", default="32,64,128")
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gflop", type=float, default=None, help="GFLOP per frame, to report GFLOP/s")
    args = parser.parse_args()

    width, height = (int(v) for v in args.size.lower().split("x"))
    torch.set_num_threads(args.threads)
    net = TransformerNet(tuple(int(v) for v in args.widths.split(",")), args.blocks).eval()
    randomize(net, args.seed, default_norm=False)
    frame = torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(args.seed)) * 255

    times = []
    with torch.inference_mode():
        for i in range(args.warmup + args.runs):
            start = time.perf_counter()
            net(frame)
            if i >= args.warmup:
                times.append((time.perf_counter() - start) * 1e3)
    ms = statistics.median(times)
    print(json.dumps({
        "engine": "pytorch-cpu", "version": torch.__version__, "precision": "fp32",
        "threads": torch.get_num_threads(), "width": width, "height": height, "runs": args.runs,
        "median_ms": round(ms, 3), "min_ms": round(min(times), 3), "gflop": args.gflop,
        "gflops": round(args.gflop / (ms * 1e-3), 3) if args.gflop else None,
    }))


if __name__ == "__main__":
    main()
