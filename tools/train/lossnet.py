"""Loss networks for style training.

VGGLossNet (the default) is ImageNet VGG-19 up to relu3_1, read from the "normalised"
encoder file in ../shared/training/vgg19/ (never shipped with the project), run on the
image and on 2x and 4x average-pooled copies so the same layers see the larger scales
that relu4_x/relu5_x would have seen. KerasLossNet rebuilds a Keras functional model (the topology JSON from nsfwjs's
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
DEFAULT_VGG = os.path.normpath(os.path.join(HERE, "../../../shared/training/vgg19/vgg_normalised_conv3_1.pth"))
VGG_HELP = ("VGG-19 (Simonyan & Zisserman, 2014), first five convolutions in the AdaIN/WCT "
            "'normalised' form: vgg_normalised_conv3_1.pth, 2.2 MB. The project keeps it in "
            "../shared/training/vgg19/ (beside the repository); it is republished in the public "
            "GitHub repository pietrocarbo/deep-transfer (models/autoencoder_vgg19/vgg19_3/), from "
            "Yijun Li's UniversalStyleTransfer. Pass its path with --vgg.")

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


class VGGLossNet(nn.Module):
    """ImageNet VGG-19 to relu3_1 (the AdaIN/WCT normalised encoder), multi-scale.

    Input: RGB in [0, 1]; the file's first 1x1 conv does the Caffe preprocessing (BGR,
    x255, ImageNet mean removed). Every 3x3 conv is reflection padded; max pools use
    ceil_mode, as the encoder was trained. forward returns "relu1_1@1x" ... "relu3_1@4x":
    the three style layers on the image and on 2x and 4x average-pooled copies (relu3_1
    sees ~24 px of its input, so ~48 and ~96 px of the image at 2x and 4x: brush strokes
    and motifs, not only grain), and the content layers at full scale."""

    LAYERS = ["relu1_1", "relu2_1", "relu3_1"]

    def __init__(self, path=None, scales=(1, 2, 4), content_layers=("relu2_1", "relu3_1")):
        super().__init__()
        path = path or DEFAULT_VGG
        if not os.path.exists(path):
            raise FileNotFoundError(f"VGG-19 loss network not found at {path}. {VGG_HELP}")
        sd = torch.load(path, map_location="cpu")
        expected = {"0.weight": (3, 3, 1, 1), "2.weight": (64, 3, 3, 3), "5.weight": (64, 64, 3, 3),
                    "9.weight": (128, 64, 3, 3), "12.weight": (128, 128, 3, 3), "16.weight": (256, 128, 3, 3)}
        for k, shape in expected.items():
            if k not in sd or tuple(sd[k].shape) != shape or k.replace("weight", "bias") not in sd:
                got = tuple(sd[k].shape) if k in sd else "missing"
                raise ValueError(f"{path}: {k} should be {shape} (with its bias), found {got}. {VGG_HELP}")
        for k in expected:
            for part in ("weight", "bias"):
                key = k.replace("weight", part)
                self.register_buffer("l" + key.replace(".", "_"), sd[key].float().clone())
        self.scales = tuple(scales)
        self.style_layers = [f"{l}@{s}x" for s in self.scales for l in self.LAYERS]
        self.content_layers = [f"{l}@1x" for l in content_layers]

    def conv(self, x, i, relu=True, pad=True):
        if pad:
            x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        y = F.conv2d(x, getattr(self, f"l{i}_weight"), getattr(self, f"l{i}_bias"))
        return F.relu(y) if relu else y

    def trunk(self, x):
        x = self.conv(x, 0, relu=False, pad=False)
        r11 = self.conv(x, 2)
        y = F.max_pool2d(self.conv(r11, 5), 2, ceil_mode=True)
        r21 = self.conv(y, 9)
        y = F.max_pool2d(self.conv(r21, 12), 2, ceil_mode=True)
        r31 = self.conv(y, 16)
        return {"relu1_1": r11, "relu2_1": r21, "relu3_1": r31}

    def forward(self, x):
        out = {}
        for s in self.scales:
            f = self.trunk(F.avg_pool2d(x, s) if s > 1 else x)
            for k, v in f.items():
                out[f"{k}@{s}x"] = v
        return out


def gram(f):
    b, c, h, w = f.shape
    f = f.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def make_lossnet(kind, work, vgg_path=None, scales=(1, 2, 4)):
    """scales: the VGG loss's downscale factors for the style layers (others ignore it)."""
    if kind == "vgg":
        return VGGLossNet(vgg_path, scales=scales)
    if kind == "mobilenet":
        return KerasLossNet(decode_nsfwjs(work))
    if kind == "random":
        return RandomLossNet()
    raise ValueError(f"unknown loss network {kind}")
