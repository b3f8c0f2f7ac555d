#!/usr/bin/python3
"""A plain reading of a TensorFlow Lite file (no TensorFlow): tensors, operators, weights.

  tflite_graph.py MODEL.tflite          prints the graph: each operator, its inputs and outputs

Written from the published TensorFlow Lite schema (schema.fbs: field order of Model,
SubGraph, Tensor, Buffer, Operator, OperatorCode, QuantizationParameters) over the
FlatBuffers binary layout: little-endian, a root offset, tables found through vtables of
uint16 field offsets, vectors as a uint32 length then the elements. Also imported by the
reference scripts that check Stylize's own reader and network.
"""
import struct
import sys

import numpy as np

BUILTIN = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
           6: "DEQUANTIZE", 14: "LOGISTIC", 18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE",
           23: "RESIZE_BILINEAR", 40: "MEAN", 41: "SUB", 42: "DIV", 43: "SQUEEZE", 76: "RSQRT",
           97: "RESIZE_NEAREST_NEIGHBOR", 99: "SQUARED_DIFFERENCE", 100: "MIRROR_PAD", 114: "QUANTIZE"}
TYPES = {0: ("FLOAT32", np.float32), 1: ("FLOAT16", np.float16), 2: ("INT32", np.int32), 3: ("UINT8", np.uint8),
         4: ("INT64", np.int64), 9: ("INT8", np.int8)}


class Table:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vt = vt
        self.vt_len = struct.unpack_from("<H", buf, vt)[0]

    def _field(self, index):
        slot = 4 + 2 * index
        if slot >= self.vt_len:
            return 0
        return struct.unpack_from("<H", self.buf, self.vt + slot)[0]

    def scalar(self, index, fmt, default=0):
        off = self._field(index)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + off)[0] if off else default

    def _indirect(self, index):
        off = self._field(index)
        if not off:
            return None
        p = self.pos + off
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, index):
        p = self._indirect(index)
        return Table(self.buf, p) if p is not None else None

    def vector(self, index, fmt):
        p = self._indirect(index)
        if p is None:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        return list(struct.unpack_from("<%d%s" % (n, fmt), self.buf, p + 4))

    def bytes(self, index):
        p = self._indirect(index)
        if p is None:
            return b""
        n = struct.unpack_from("<I", self.buf, p)[0]
        return self.buf[p + 4:p + 4 + n]

    def string(self, index):
        return self.bytes(index).decode("utf-8", "replace")

    def tables(self, index):
        p = self._indirect(index)
        if p is None:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        out = []
        for i in range(n):
            e = p + 4 + 4 * i
            out.append(Table(self.buf, e + struct.unpack_from("<I", self.buf, e)[0]))
        return out


class Graph:
    """The first subgraph: tensors (name, shape, type, data as numpy, quantization), ops."""

    def __init__(self, path):
        buf = open(path, "rb").read()
        if buf[4:8] != b"TFL3":
            raise ValueError(f"{path}: not a TensorFlow Lite file (no TFL3 identifier)")
        model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
        codes = []
        for c in model.tables(1):
            deprecated = c.scalar(0, "b")
            builtin = c.scalar(3, "i")
            codes.append(max(deprecated, builtin))
        buffers = [b.bytes(0) for b in model.tables(4)]
        sub = model.tables(2)[0]
        self.tensors = []
        for t in sub.tables(0):
            ttype = t.scalar(1, "b")
            q = t.table(4)
            quant = None
            if q is not None and q.vector(2, "f"):
                quant = {"scale": np.array(q.vector(2, "f"), np.float32), "zero_point": np.array(q.vector(3, "q")),
                         "axis": q.scalar(6, "i")}
            data = buffers[t.scalar(2, "I")] if t.scalar(2, "I") < len(buffers) else b""
            shape = t.vector(0, "i")
            array = None
            if data and ttype in TYPES:
                array = np.frombuffer(data, TYPES[ttype][1]).reshape(shape)
            self.tensors.append({"name": t.string(3), "shape": shape, "type": TYPES.get(ttype, (str(ttype),))[0],
                                 "data": array, "quant": quant})
        self.inputs, self.outputs = sub.vector(1, "i"), sub.vector(2, "i")
        self.ops = []
        for o in sub.tables(3):
            code = codes[o.scalar(0, "I")]
            opts = o.table(4)
            self.ops.append({"op": BUILTIN.get(code, f"builtin {code}"), "inputs": o.vector(1, "i"),
                             "outputs": o.vector(2, "i"), "options": opts})

    def value(self, index):
        """A constant tensor as float32 (dequantized)."""
        t = self.tensors[index]
        a = t["data"]
        if a is None:
            return None
        if t["quant"] is not None and t["type"] in ("INT8", "UINT8", "INT32"):
            q = t["quant"]
            shape = [1] * a.ndim
            if q["scale"].size > 1:
                shape[q["axis"]] = -1
            return (a.astype(np.float32) - q["zero_point"].reshape(shape)) * q["scale"].reshape(shape)
        return a.astype(np.float32)


def main():
    g = Graph(sys.argv[1])
    print("inputs:", [(g.tensors[i]["name"], g.tensors[i]["shape"]) for i in g.inputs])
    print("outputs:", [(g.tensors[i]["name"], g.tensors[i]["shape"]) for i in g.outputs])
    for n, op in enumerate(g.ops):
        ins = ", ".join(f"{g.tensors[i]['name']}{g.tensors[i]['shape']}{'*' if g.tensors[i]['data'] is not None else ''}"
                        for i in op["inputs"] if i >= 0)
        outs = ", ".join(f"{g.tensors[i]['name']}{g.tensors[i]['shape']}" for i in op["outputs"])
        print(f"{n:3d} {op['op']:24s} {ins} -> {outs}")


if __name__ == "__main__":
    main()
