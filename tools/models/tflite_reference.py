#!/usr/bin/python3
"""A plain NumPy interpreter of the TensorFlow Lite ops Magenta's arbitrary-style model
uses: the independent reference for Stylize's TFLite reader and its Vulkan network.

  tflite_reference.py MODEL_DIR STYLE_PICTURE CONTENT OUT.png [--size WxH]

runs the style predictor on the picture (256x256, [0, 1]) and the transfer network on the
content at the given size (a multiple of 4; the exported RESIZE_NEAREST_NEIGHBOR sizes are
read as "2x, 2x, then the content's size", see the fixture's README). Floats throughout:
int8 tensors are dequantized (weights) or fake-quantized (activations with quantization
parameters: quantize then dequantize at every op output, as the int8 kernels round).
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from tflite_graph import Graph  # noqa: E402

ACTIVATIONS = {0: lambda x: x, 1: lambda x: np.maximum(x, 0), 2: lambda x: np.clip(x, -1, 1),
               3: lambda x: np.clip(x, 0, 6)}


def pad_same(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b, stride, padding, depthwise=False, multiplier=1):
    """x NHWC, w OHWI (CONV_2D) or 1HWO (DEPTHWISE_CONV_2D)."""
    n, h, wd, c = x.shape
    kh, kw = w.shape[1], w.shape[2]
    if padding == 0:  # SAME
        (pt, pb), (pl, pr) = pad_same(h, kh, stride[0]), pad_same(wd, kw, stride[1])
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    oh = (x.shape[1] - kh) // stride[0] + 1
    ow = (x.shape[2] - kw) // stride[1] + 1
    cols = np.empty((n, oh, ow, kh, kw, x.shape[3]), np.float32)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = x[:, i:i + oh * stride[0]:stride[0], j:j + ow * stride[1]:stride[1], :]
    if depthwise:
        wm = w[0]  # kh, kw, c*mult
        cols = np.repeat(cols, multiplier, axis=5)
        y = np.einsum("nhwijc,ijc->nhwc", cols, wm, optimize=True)
    else:
        y = np.tensordot(cols, w, axes=([3, 4, 5], [1, 2, 3]))
    return y + (b if b is not None else 0)


def run(g, feeds, content_size=None):
    values = {i: g.value(i) for i in range(len(g.tensors)) if g.tensors[i]["data"] is not None}
    for name, array in feeds.items():
        idx = next(i for i in g.inputs if g.tensors[i]["name"] == name)
        values[idx] = array.astype(np.float32)
    resize_count = 0

    def fake_quant(index, x):
        q = g.tensors[index]["quant"]
        if q is None or g.tensors[index]["type"] not in ("INT8", "UINT8") or q["scale"].size != 1:
            return x
        s, z = float(q["scale"][0]), float(q["zero_point"][0])
        lo, hi = (-128, 127) if g.tensors[index]["type"] == "INT8" else (0, 255)
        return (np.clip(np.round(x / s) + z, lo, hi) - z) * s

    for op in g.ops:
        ins = [values.get(i) if i >= 0 else None for i in op["inputs"]]
        o = op["options"]
        kind = op["op"]
        if kind in ("DEQUANTIZE", "QUANTIZE"):
            y = ins[0]
        elif kind == "CONV_2D":
            y = conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, (o.scalar(2, "i"), o.scalar(1, "i")),
                       o.scalar(0, "b"))
            y = ACTIVATIONS[o.scalar(3, "b")](y)
        elif kind == "DEPTHWISE_CONV_2D":
            y = conv2d(ins[0], ins[1], ins[2], (o.scalar(2, "i"), o.scalar(1, "i")), o.scalar(0, "b"),
                       depthwise=True, multiplier=max(1, o.scalar(3, "i")))
            y = ACTIVATIONS[o.scalar(4, "b")](y)
        elif kind in ("ADD", "MUL", "SUB", "SQUARED_DIFFERENCE"):
            a, b = ins
            y = {"ADD": a + b, "MUL": a * b, "SUB": a - b, "SQUARED_DIFFERENCE": (a - b) ** 2}[kind]
            if kind != "SQUARED_DIFFERENCE" and o is not None:
                y = ACTIVATIONS[o.scalar(0, "b")](y)
        elif kind == "MEAN":
            axes = tuple(int(a) for a in np.atleast_1d(ins[1]))
            y = ins[0].mean(axis=axes, keepdims=bool(o.scalar(0, "b")) if o is not None else False)
        elif kind == "RSQRT":
            y = 1 / np.sqrt(ins[0])
        elif kind == "LOGISTIC":
            y = 1 / (1 + np.exp(-ins[0]))
        elif kind == "MIRROR_PAD":
            mode = "reflect" if (o is None or o.scalar(0, "b") == 0) else "symmetric"
            y = np.pad(ins[0], [tuple(int(v) for v in p) for p in ins[1]], mode=mode)
        elif kind == "RESIZE_NEAREST_NEIGHBOR":
            resize_count += 1
            x = ins[0]
            if content_size is not None and resize_count == 3:
                th, tw = content_size
            elif content_size is not None:
                th, tw = x.shape[1] * 2, x.shape[2] * 2
            else:
                th, tw = (int(v) for v in ins[1])
            ys = (np.arange(th) * x.shape[1] // th)
            xs = (np.arange(tw) * x.shape[2] // tw)
            y = x[:, ys][:, :, xs]
        else:
            raise SystemExit(f"error: {kind} is not supported by this reference")
        values[op["outputs"][0]] = fake_quant(op["outputs"][0], y.astype(np.float32))
    return [values[i] for i in g.outputs]


def load(path, size):
    im = Image.open(path).convert("RGB").resize(size, Image.BILINEAR)
    return np.asarray(im, np.float32)[None] / 255


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_dir")
    p.add_argument("style")
    p.add_argument("content")
    p.add_argument("out")
    p.add_argument("--size", default="384x384")
    p.add_argument("--transfer", default="style_transfer_f16_384.tflite")
    p.add_argument("--vector-out", help="save the style vector here (.npy)")
    args = p.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    if w % 4 or h % 4:
        sys.exit("error: --size must be a multiple of 4 in both directions")
    predict = Graph(os.path.join(args.model_dir, "style_predict_quantized_256.tflite"))
    vector = run(predict, {"style_image": load(args.style, (256, 256))})[0]
    if args.vector_out:
        np.save(args.vector_out, vector.reshape(-1))
    transfer = Graph(os.path.join(args.model_dir, args.transfer))
    out = run(transfer, {"content_image": load(args.content, (w, h)), "mobilenet_conv/Conv/BiasAdd": vector},
              content_size=(h, w))[0]
    Image.fromarray(np.clip(out[0] * 255 + 0.5, 0, 255).astype(np.uint8)).save(args.out)
    print(f"style vector: mean {vector.mean():.4f}, first {np.round(vector.reshape(-1)[:4], 4)}; wrote {args.out}")


if __name__ == "__main__":
    main()
