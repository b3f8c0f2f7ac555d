"""Writes a StyleNet as a Stylize style pack (docs/style-pack.md, version 1).

The graph mirrors StyleNet.forward node by node; every instance norm carries one
scale/shift tensor per style slot, so the engine blends styles as the trainer does.
"""
import io
import json
import zlib
import struct

import numpy as np

from network import IN_EPS

MAGIC = b"STYLEPACK\x1a\r\n"
VERSION = 1
HEADER_SIZE = 48
ALIGN = 16


class _Data:
    def __init__(self):
        self.buf = bytearray()
        self.table = []

    def _align(self):
        self.buf.extend(b"\0" * (-len(self.buf) % ALIGN))

    def tensor(self, t):
        a = np.ascontiguousarray(t.detach().cpu().numpy() if hasattr(t, "detach") else t, dtype="<f4").ravel()
        self._align()
        self.table.append({"offset": len(self.buf), "count": int(a.size)})
        self.buf.extend(a.tobytes())
        return len(self.table) - 1

    def blob(self, data):
        self._align()
        r = {"offset": len(self.buf), "size": len(data)}
        self.buf.extend(data)
        return r


class _Graph:
    def __init__(self, data):
        self.data, self.nodes = data, []

    def add(self, name, op, inputs, **params):
        self.nodes.append({"name": name, "op": op, "inputs": list(inputs), "output": len(self.nodes) + 1, **params})
        return len(self.nodes)

    def conv(self, name, layer, x):
        c = layer.conv
        p = layer.kernel // 2
        return self.add(name, "Conv", [x], inChannels=c.in_channels, outChannels=c.out_channels,
                        kernel=[layer.kernel, layer.kernel], stride=layer.stride,
                        padding={"rule": "explicit", "mode": "reflect", "top": p, "bottom": p, "left": p, "right": p},
                        upsample2x=bool(layer.upsample), weights=self.data.tensor(c.weight),
                        bias=self.data.tensor(c.bias) if c.bias is not None else None)

    def norm(self, name, n, x):
        return self.add(name, "InstanceNorm", [x], channels=int(n.scale.shape[1]), epsilon=IN_EPS,
                        scale=[self.data.tensor(s) for s in n.scale], shift=[self.data.tensor(s) for s in n.shift])

    def relu(self, name, x):
        return self.add(name, "Relu", [x])


def png_bytes(image):
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_stylepack(path, net, styles, pack_name, thumbnails=None):
    """styles: list of dicts with name, title, artist, year, source, license (slot order);
    thumbnails: list of PIL images or None per style."""
    if len(styles) != net.styles:
        raise ValueError(f"{len(styles)} style descriptions for a network with {net.styles} slots")
    data = _Data()
    g = _Graph(data)
    y = g.relu("relu1", g.norm("in1", net.in1, g.conv("conv1", net.conv1, 0)))
    y = g.relu("relu2", g.norm("in2", net.in2, g.conv("conv2", net.conv2, y)))
    y = g.relu("relu3", g.norm("in3", net.in3, g.conv("conv3", net.conv3, y)))
    for i, r in enumerate(net.res):
        h = g.relu(f"res{i}.relu", g.norm(f"res{i}.in1", r["in1"], g.conv(f"res{i}.conv1", r["conv1"], y)))
        h = g.norm(f"res{i}.in2", r["in2"], g.conv(f"res{i}.conv2", r["conv2"], h))
        y = g.add(f"res{i}.add", "Add", [y, h])
    y = g.relu("relu4", g.norm("in4", net.in4, g.conv("up1", net.up1, y)))
    y = g.relu("relu5", g.norm("in5", net.in5, g.conv("up2", net.up2, y)))
    y = g.add("tanh", "Tanh", [g.conv("out", net.out, y)])

    entries = []
    for i, s in enumerate(styles):
        thumb = thumbnails[i] if thumbnails else None
        entries.append({k: str(s.get(k, "")) for k in ("name", "title", "artist", "year", "source", "license")}
                       | {"thumbnail": data.blob(png_bytes(thumb)) if thumb is not None else None})
    doc = {
        "name": pack_name,
        "mapping": {"inScale": [1 / 127.5] * 3, "inBias": [-1.0] * 3,
                    "outScale": [127.5] * 3, "outBias": [127.5] * 3},
        "styles": entries,
        "graph": {"nodes": g.nodes, "output": y},
        "tensors": data.table,
        "training": {"widths": list(net.widths), "blocks": net.blocks},
        "dataCrc32": zlib.crc32(bytes(data.buf)),
    }
    # repr() of a Python float round-trips a double; floats the engine reads as float32
    # (epsilon, mapping) are exactly what float32 rounding of these values gives.
    text = json.dumps(doc, indent=1).encode("utf-8")
    data_offset = HEADER_SIZE + len(text)
    data_offset += -data_offset % ALIGN
    header = MAGIC + struct.pack("<IQQQQ", VERSION, HEADER_SIZE, len(text), data_offset, len(data.buf))
    assert len(header) == HEADER_SIZE
    with open(path, "wb") as f:
        f.write(header + text + b"\0" * (data_offset - HEADER_SIZE - len(text)) + bytes(data.buf))


def read_stylepack_json(path):
    """The JSON description of a pack (for tools and tests)."""
    with open(path, "rb") as f:
        head = f.read(HEADER_SIZE)
        if head[:12] != MAGIC:
            raise ValueError(f"{path}: not a style pack")
        _, jo, js, do, ds = struct.unpack("<IQQQQ", head[12:])
        f.seek(jo)
        return json.loads(f.read(js))
