#!/usr/bin/python3
"""Goldens for Stylize's reading of Magenta's arbitrary-style transfer network: the style
vector of The Starry Night (the NumPy predictor of tools/models/tflite_reference.py) and
the NumPy transfer network's output on chicago.jpg at 96x64, both from the fixture files.

  magenta_golden.py OUT_DIR [--shared ../shared]

writes OUT_DIR/pattern_vector.npy (the predictor on a 256x256 formula pattern, 100 float32),
OUT_DIR/content.npy (the 96x64 input, H x W x RGB, 0..255), starry_vector.npy (100 float32) and
transfer_fp16.npy (64x96x3 float32 in [0, 1], the fp16-weight transfer network).
"""
import argparse
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../models"))
from tflite_graph import Graph  # noqa: E402
from tflite_reference import load, run  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--shared", default=os.path.normpath(os.path.join(HERE, "../../../shared")))
    a = p.parse_args()
    models = os.path.join(a.shared, "fixtures/models/magenta-arbitrary")
    os.makedirs(a.out, exist_ok=True)
    content = Image.open(os.path.join(a.shared, "fixtures/images/chicago.jpg")).convert("RGB").resize((96, 64),
                                                                                                    Image.BILINEAR)
    np.save(os.path.join(a.out, "content.npy"), np.asarray(content, np.float32))  # H x W x RGB, 0..255
    predict = Graph(os.path.join(models, "style_predict_quantized_256.tflite"))
    vector = run(predict, {"style_image": load(os.path.join(a.shared, "training/styles/starry_night.jpg"),
                                               (256, 256))})[0].reshape(-1).astype(np.float32)
    np.save(os.path.join(a.out, "starry_vector.npy"), vector)
    # The predictor on an input both sides can make without resampling: a 256x256 pattern
    # (r = x / 255, g = y / 255, b = ((x * y) % 256) / 255).
    yy, xx = np.mgrid[0:256, 0:256]
    pattern = np.stack([xx, yy, (xx * yy) % 256], -1).astype(np.float32)[None] / 255
    np.save(os.path.join(a.out, "pattern_vector.npy"),
            run(predict, {"style_image": pattern})[0].reshape(-1).astype(np.float32))
    transfer = Graph(os.path.join(models, "style_transfer_f16_384.tflite"))
    x = np.asarray(content, np.float32)[None] / 255
    out = run(transfer, {"content_image": x, "mobilenet_conv/Conv/BiasAdd": vector.reshape(1, 1, 1, -1)},
              content_size=(64, 96))[0][0]
    np.save(os.path.join(a.out, "transfer_fp16.npy"), out.astype(np.float32))
    print("vector mean", float(vector.mean()), "output mean", float(out.mean()))


if __name__ == "__main__":
    main()
