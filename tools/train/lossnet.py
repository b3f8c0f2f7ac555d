"""Loss networks for style training, built without any download beyond npm/Debian.

KerasLossNet rebuilds a Keras functional model (the topology JSON from nsfwjs's
model.min.js) in PyTorch, up to the deepest layer we read features from, with batch
norm folded into per-channel affines. RandomLossNet is the alternative we compared it
with: fixed random multi-scale conv features (Ustyuzhaninov et al. 2017).
"""
import json
import os
import subprocess

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

# MobileNetV2 layers (after ReLU6) at 1/2, 1/2, 1/4, 1/8 and 1/16 of the input size.
MOBILENET_STYLE_LAYERS = ["Conv1_relu", "block_1_expand_relu", "block_3_expand_relu",
                          "block_6_expand_relu", "block_10_expand_relu"]
MOBILENET_CONTENT_LAYERS = ["block_1_expand_relu", "block_6_expand_relu"]


def decode_nsfwjs(work):
    """npm pack nsfwjs@4.4.0 and decode its MobileNetV2 to work/mobilenet_v2/{topology.json,
    weights.npz}. The bundled weights are base64 uint8 affine-quantised shards; decoding
    uses node (the format is JavaScript modules)."""
    out = os.path.join(work, "mobilenet_v2")
    if os.path.exists(os.path.join(out, "weights.npz")):
        return out
    os.makedirs(work, exist_ok=True)
    tgz = os.path.join(work, "nsfwjs-4.4.0.tgz")
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", "nsfwjs@4.4.0"], cwd=work, check=True)
    subprocess.run(["tar", "xzf", tgz], cwd=work, check=True)
    subprocess.run(["node", os.path.join(HERE, "nsfwjs_decode.js"),
                    os.path.join(work, "package/dist/models/mobilenet_v2"), out], check=True)
    idx = json.load(open(os.path.join(out, "index.json")))
    w = np.fromfile(os.path.join(out, "weights.f32"), "<f4")
    arrs = {e["name"]: w[e["offset_floats"]:e["offset_floats"] + int(np.prod(e["shape"]))].reshape(e["shape"])
            for e in idx}
    np.savez(os.path.join(out, "weights.npz"), **arrs)
    return out


class KerasLossNet(nn.Module):
    """A Keras functional model (InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D,
    BatchNormalization, ReLU, Add) run in PyTorch, NCHW. Input: RGB in [0, 1], as nsfwjs
    feeds it. forward returns {layer name: activation} for the requested layers."""

    def __init__(self, folder, style_layers=MOBILENET_STYLE_LAYERS, content_layers=MOBILENET_CONTENT_LAYERS):
        super().__init__()
        topo = json.load(open(os.path.join(folder, "topology.json")))
        weights = np.load(os.path.join(folder, "weights.npz"))
        self.style_layers, self.content_layers = list(style_layers), list(content_layers)
        wanted = set(self.style_layers + self.content_layers)
        self.layers = []  # (name, kind, inputs, params)
        for layer in topo["model_config"]["config"]["layers"]:
            name, kind, cfg = layer["name"], layer["class_name"], layer["config"]
            inputs = [n[0] for n in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else []
            params = {}
            if kind in ("Conv2D", "DepthwiseConv2D"):
                key = name + ("/depthwise_kernel" if kind == "DepthwiseConv2D" else "/kernel")
                k = torch.from_numpy(weights[key].copy())
                if kind == "Conv2D":
                    w = k.permute(3, 2, 0, 1)  # [kh,kw,in,out] -> OIHW
                    groups = 1
                else:
                    w = k.permute(2, 3, 0, 1)  # [kh,kw,in,1] -> [in,1,kh,kw]
                    groups = w.shape[0]
                stride = cfg["strides"][0]
                if cfg["padding"] == "same":
                    if stride != 1:
                        raise ValueError(f"{name}: SAME padding with stride {stride} is not supported")
                    pad = cfg["kernel_size"][0] // 2
                else:
                    pad = 0
                self.register_buffer(name.replace("/", "_") + "_w", w.contiguous())
                params = {"stride": stride, "pad": pad, "groups": groups, "w": name.replace("/", "_") + "_w"}
                if cfg.get("use_bias"):
                    self.register_buffer(name + "_b", torch.from_numpy(weights[name + "/bias"].copy()))
                    params["b"] = name + "_b"
            elif kind == "BatchNormalization":
                g, b = weights[name + "/gamma"], weights[name + "/beta"]
                m, v = weights[name + "/moving_mean"], weights[name + "/moving_variance"]
                scale = g / np.sqrt(v + cfg["epsilon"])
                self.register_buffer(name + "_s", torch.from_numpy(scale.astype(np.float32)))
                self.register_buffer(name + "_t", torch.from_numpy((b - m * scale).astype(np.float32)))
            elif kind == "ZeroPadding2D":
                (t, bo), (l, r) = cfg["padding"]
                params = {"pad": (l, r, t, bo)}
            elif kind == "ReLU":
                params = {"max": cfg.get("max_value")}
            elif kind not in ("InputLayer", "Add"):
                break  # past the convolutional trunk we use
            self.layers.append((name, kind, inputs, params))
            wanted.discard(name)
            if not wanted:
                break
        if wanted:
            raise ValueError(f"layers not found in the topology: {sorted(wanted)}")
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        acts, out = {}, {}
        keep = set(self.style_layers + self.content_layers)
        for name, kind, inputs, p in self.layers:
            if kind == "InputLayer":
                y = x
            else:
                a = acts[inputs[0]]
                if kind == "ZeroPadding2D":
                    y = F.pad(a, p["pad"])
                elif kind in ("Conv2D", "DepthwiseConv2D"):
                    if p["pad"]:
                        a = F.pad(a, (p["pad"],) * 4)
                    y = F.conv2d(a, getattr(self, p["w"]), getattr(self, p["b"]) if "b" in p else None,
                                 stride=p["stride"], groups=p["groups"])
                elif kind == "BatchNormalization":
                    y = a * getattr(self, name + "_s")[:, None, None] + getattr(self, name + "_t")[:, None, None]
                elif kind == "ReLU":
                    y = a.clamp(0, p["max"]) if p["max"] is not None else F.relu(a)
                elif kind == "Add":
                    y = a + acts[inputs[1]]
            acts[name] = y
            if name in keep:
                out[name] = y
        return out


class RandomLossNet(nn.Module):
    """Fixed random features (no training): a stack of 3x3 convs with ReLU, each level
    halving the resolution, plus wide random filters of 5x5 and 11x11 on the image. Filters
    are zero-mean per output so flat colour does not dominate the Gram matrices."""

    def __init__(self, seed=7, widths=(64, 128, 256, 256)):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.style_layers, self.content_layers = [], ["r2"]
        convs, cin = [], 3
        for i, c in enumerate(widths):
            w = torch.randn(c, cin, 3, 3, generator=g)
            w -= w.mean(dim=(1, 2, 3), keepdim=True)
            w *= (2.0 / (cin * 9)) ** 0.5 / w.std()
            self.register_buffer(f"w{i}", w)
            self.style_layers.append(f"r{i}")
            cin = c
        for k in (5, 11):
            w = torch.randn(128, 3, k, k, generator=g)
            w -= w.mean(dim=(1, 2, 3), keepdim=True)
            w *= (2.0 / (3 * k * k)) ** 0.5 / w.std()
            self.register_buffer(f"wide{k}", w)
            self.style_layers.append(f"wide{k}")
        self.levels = len(widths)

    def forward(self, x):
        x = (x - 0.45) / 0.25
        out, y = {}, x
        for i in range(self.levels):
            y = F.relu(F.conv2d(F.pad(y, (1, 1, 1, 1), mode="reflect"), getattr(self, f"w{i}")))
            out[f"r{i}"] = y
            if i + 1 < self.levels:
                y = F.avg_pool2d(y, 2)
        for k in (5, 11):
            out[f"wide{k}"] = F.relu(F.conv2d(F.avg_pool2d(x, 2), getattr(self, f"wide{k}"), padding=k // 2))
        return out


def gram(f):
    b, c, h, w = f.shape
    f = f.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def make_lossnet(kind, work):
    if kind == "mobilenet":
        return KerasLossNet(decode_nsfwjs(work))
    if kind == "random":
        return RandomLossNet()
    raise ValueError(f"unknown loss network {kind}")
