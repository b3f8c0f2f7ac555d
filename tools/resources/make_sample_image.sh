#!/usr/bin/env bash
# Rebuilds resources/samples/coffee.jpg, the bundled still image, from Debian's
# python3-skimage package (the photo is CC0: see resources/samples/SOURCES.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-skimage >/dev/null
dpkg -x python3-skimage_*.deb extracted
src=extracted/usr/lib/python3/dist-packages/skimage/data/coffee.png
ffmpeg -v error -y -i "$src" -q:v 2 "$root/resources/samples/coffee.jpg"
echo "wrote $root/resources/samples/coffee.jpg from $(ls python3-skimage_*.deb)"
