#!/bin/bash
# Packs stylize-gpu-check into a self-contained bundle for a GPU machine (docs/gpu-check.md):
#   bin/stylize-gpu-check      the check/bench binary (debug info stripped)
#   lib/                       every shared library it links except glibc's own
#   lib/vulkan/libvulkan.so.1  the Vulkan loader, used only where the machine has none
#   models/                    default-light.stylepack, default.stylepack, transformer_net.onnx
#   run.sh, bundle.txt         the entry point; what was packed from where
# Usage: tools/gpu/pack.sh [OUT.tar.gz]   (default: BUILD/stylize-gpu-bundle.tar.gz)
# Environment: STYLIZE_BUILD_DIR (default: the checkout's build/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${STYLIZE_BUILD_DIR:-$ROOT/build}
OUT=${1:-$BUILD/stylize-gpu-bundle.tar.gz}
LIMIT_MIB=40
PYTHON=/usr/bin/python3

fail() { echo "pack.sh: $*" >&2; exit 1; }

[ -f "$BUILD/CMakeCache.txt" ] || fail "'$BUILD' is not a configured build folder (set STYLIZE_BUILD_DIR)"
mkdir -p "$(dirname "$OUT")" || fail "cannot create the folder of '$OUT'"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
"$PYTHON" -c 'import torch' 2>/dev/null ||
    fail "$PYTHON has no torch (Debian's python3-torch), needed to export models/transformer_net.onnx"

cmake --build "$BUILD" --target stylize-gpu-check
BIN=$BUILD/tools/gpu/stylize-gpu-check
[ -x "$BIN" ] || fail "the build did not produce $BIN"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/stylize-gpu-pack.XXXXXX")
trap 'rm -rf "$STAGE" "$OUT.part"' EXIT
B=$STAGE/stylize-gpu-bundle
mkdir -p "$B/bin" "$B/lib/vulkan" "$B/models"

if command -v strip >/dev/null; then
    strip --strip-debug -o "$B/bin/stylize-gpu-check" "$BIN"
else
    cp "$BIN" "$B/bin/stylize-gpu-check"
fi

# ldd lists the whole closure. glibc's own libraries must come from the machine (they
# go with its ld.so); libstdc++, libgcc_s and the rest travel, since the remote's may differ.
glibc='^(ld-linux.*|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil|libanl|libnsl|libthread_db'
glibc+='|libBrokenLocale|libnss_[a-z]+)\.so'
missing=$(ldd "$BIN" | awk '/=> not found/ {print $1}')
[ -z "$missing" ] || fail "ldd cannot find these libraries of $BIN: $missing"
libs=()
while read -r name path; do
    [[ $name =~ $glibc ]] && continue
    if [ "$name" = libvulkan.so.1 ]; then
        cp -L "$path" "$B/lib/vulkan/libvulkan.so.1"
    else
        cp -L "$path" "$B/lib/$name"
        libs+=("$name")
    fi
done < <(ldd "$BIN" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
[ -f "$B/lib/vulkan/libvulkan.so.1" ] || fail "$BIN does not link libvulkan.so.1 (ldd)"

cp "$ROOT/resources/styles/default-light.stylepack" "$ROOT/resources/styles/default.stylepack" "$B/models/"
# The full-size fast_neural_style TransformerNet (32/64/128 channels, 5 residual blocks),
# random weights from a fixed seed; torch's export warnings go to a log shown on failure.
if ! "$PYTHON" "$ROOT/tools/models/export_transformer_net.py" "$B/models/transformer_net.onnx" \
    >"$STAGE/export.log" 2>&1; then
    cat "$STAGE/export.log" >&2
    fail "exporting models/transformer_net.onnx failed (log above)"
fi

cp "$ROOT/tools/gpu/run.sh" "$B/run.sh"
chmod +x "$B/run.sh" "$B/bin/stylize-gpu-check"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$ROOT" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ] ||
    commit="$commit + uncommitted changes"
{
    echo "stylize-gpu-check bundle, packed $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm)"
    echo "commit: $commit"
    echo "build: $BUILD ($(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt"))"
    echo "libraries: ${libs[*]}"
    echo "fallback Vulkan loader: lib/vulkan/libvulkan.so.1"
    echo "models: $(cd "$B/models" && echo *)"
    echo "needs: x86-64 Linux with glibc >= $(ldd --version | sed -n '1s/.* //p') and a Vulkan driver"
} >"$B/bundle.txt"

tar -C "$STAGE" -czf "$OUT.part" stylize-gpu-bundle
bytes=$(stat -c %s "$OUT.part")
mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
if [ "$bytes" -gt $((LIMIT_MIB * 1024 * 1024)) ]; then
    rm -f "$OUT.part"
    fail "the bundle would be $mib MiB, over the $LIMIT_MIB MiB limit; nothing was written"
fi
mv "$OUT.part" "$OUT"
echo "Bundle: $OUT ($mib MiB; ${#libs[@]} libraries + the Vulkan loader, 3 models)"
