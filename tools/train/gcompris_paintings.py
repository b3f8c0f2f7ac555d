#!/usr/bin/python3
"""Rebuilds the paintings of GCompris's jigsaw activity (Debian gcompris-qt-data,
usr/share/gcompris-qt/rcc/paintings.rcc) into whole images.

The .rcc is a Qt binary resource file; we read it directly (header, tree of 22-byte
entries, UTF-16 names, length-prefixed data, zlib or zstd compression). Each board's
board*_0.qml gives every piece's centre as a fraction of the board; pasting the WebP
pieces there and cropping to the covered area gives the painting.
"""
import argparse
import glob
import io
import os
import re
import struct
import subprocess
import zlib

from PIL import Image


def read_rcc(path):
    """Returns {resource path: bytes} for every file in a Qt .rcc (format versions 1-3)."""
    raw = open(path, "rb").read()
    if raw[:4] != b"qres":
        raise ValueError(f"{path}: not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", raw[4:20])
    entry_size = 14 if version == 1 else 22

    def name_at(off):
        n = struct.unpack(">H", raw[names + off:names + off + 2])[0]
        return raw[names + off + 6:names + off + 6 + 2 * n].decode("utf-16-be")

    files = {}

    def walk(index, prefix):
        e = tree + index * entry_size
        name_off, flags = struct.unpack(">IH", raw[e:e + 6])
        name = name_at(name_off) if index else ""
        full = f"{prefix}/{name}" if name else prefix
        if flags & 2:  # directory
            count, first = struct.unpack(">II", raw[e + 6:e + 14])
            for i in range(count):
                walk(first + i, full)
        else:
            data_off = struct.unpack(">I", raw[e + 10:e + 14])[0]
            size = struct.unpack(">I", raw[data + data_off:data + data_off + 4])[0]
            blob = raw[data + data_off + 4:data + data_off + 4 + size]
            if flags & 1:
                blob = zlib.decompress(blob[4:])
            elif flags & 4:
                blob = subprocess.run(["zstd", "-d", "-c"], input=blob, capture_output=True, check=True).stdout
            files[full.lstrip("/")] = blob

    walk(0, "")
    return files


def reassemble_boards(files, out):
    """Writes one PNG per board; returns [(file name, board title)]."""
    written = []
    for qml in sorted(k for k in files if re.search(r"board\d*_0\.qml$", k)):
        text = files[qml].decode("utf-8", "replace")
        title = re.search(r'qsTr\("([^"]*)"\)', text)
        w = int(re.search(r'"width":\s*(\d+)', text).group(1))
        h = int(re.search(r'"height":\s*(\d+)', text).group(1))
        pieces = re.findall(r'"pixmapfile"\s*:\s*"(image/[^"]+\.webp)",\s*"x"\s*:\s*"([\d.]+)",\s*"y"\s*:\s*"([\d.]+)"',
                            text)
        if not pieces:
            continue
        base = os.path.dirname(os.path.dirname(qml))
        canvas = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        for f, x, y in pieces:
            key = f"{base}/{f}" if f"{base}/{f}" in files else next(k for k in files if k.endswith(f))
            piece = Image.open(io.BytesIO(files[key])).convert("RGBA")
            canvas.alpha_composite(piece, (int(round(float(x) * w - piece.width / 2)),
                                           int(round(float(y) * h - piece.height / 2))))
        canvas = canvas.crop(canvas.getbbox())
        name = os.path.basename(pieces[0][0]).rsplit("_", 1)[0].replace(".webp", "") + ".png"
        canvas.convert("RGB").save(os.path.join(out, name))
        written.append((name, title.group(1) if title else ""))
    return written


def reassemble(package_root, out):
    os.makedirs(out, exist_ok=True)
    rcc = glob.glob(os.path.join(package_root, "usr/share/gcompris-qt/rcc/paintings.rcc"))
    if not rcc:
        raise FileNotFoundError(f"{package_root}: no usr/share/gcompris-qt/rcc/paintings.rcc")
    return reassemble_boards(read_rcc(rcc[0]), out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("package_root", help="gcompris-qt-data extracted with dpkg -x")
    p.add_argument("out")
    a = p.parse_args()
    for name, title in reassemble(a.package_root, a.out):
        print(name, "|", title)


if __name__ == "__main__":
    main()
