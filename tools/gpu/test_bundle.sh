#!/bin/bash
# ctest gpu_bundle: packs the GPU bundle into one temporary folder, unpacks it in another
# (both outside the build tree) and runs run.sh --quick there, on lavapipe here.
# Usage: test_bundle.sh SOURCE_DIR BUILD_DIR. Exit 77 (skipped) without torch.
set -euo pipefail
ROOT=$1
BUILD=$2
PYTHON=/usr/bin/python3

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "SKIP: $PYTHON has no torch (Debian's python3-torch), which pack.sh needs to export the TransformerNet ONNX"
    exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stylize-gpu-bundle-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/pack" "$WORK/run"
fail() { echo "FAIL: $*" >&2; exit 1; }

STYLIZE_BUILD_DIR=$BUILD "$ROOT/tools/gpu/pack.sh" "$WORK/pack/bundle.tar.gz"
tar -xzf "$WORK/pack/bundle.tar.gz" -C "$WORK/run"
B=$WORK/run/stylize-gpu-bundle
for f in run.sh bin/stylize-gpu-check lib/vulkan/libvulkan.so.1 lib/libstdc++.so.6 models/default-light.stylepack \
    models/default.stylepack models/transformer_net.onnx; do
    [ -e "$B/$f" ] || fail "the bundle has no $f"
done
# Every library but glibc's resolves inside the bundle.
outside=$(LD_LIBRARY_PATH=$B/lib:$B/lib/vulkan ldd "$B/bin/stylize-gpu-check" |
    awk -v b="$B" '$2 == "=>" && index($3, b) != 1 && $1 !~ /^(ld-linux|libc|libm|libpthread|libdl|librt)[.-]/ {
        print $1
    }')
[ -z "$outside" ] || fail "libraries resolved outside the bundle: $outside"

# Mistakes are one sentence and exit code 2, before any Vulkan work.
set +e
message=$("$B/run.sh" --model "$WORK/nowhere.onnx" 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] || fail "a missing --model gave exit code $rc, expected 2"
grep -q "nowhere.onnx: no such file" <<<"$message" || fail "a missing --model's message does not name it: $message"

# Where ldconfig lists no Vulkan loader, run.sh puts the bundled one on the library path.
mkdir "$WORK/fake-bin"
printf '#!/bin/sh\necho "0 libs found in cache"\n' >"$WORK/fake-bin/ldconfig"
chmod +x "$WORK/fake-bin/ldconfig"
message=$(PATH=$WORK/fake-bin:$PATH "$B/run.sh" --list-devices 2>&1) || fail "run.sh --list-devices failed: $message"
grep -q "Vulkan loader: the bundled" <<<"$message" || fail "run.sh did not fall back to the bundled loader: $message"
grep -q "^Vulkan devices:" <<<"$message" || fail "no device through the bundled loader: $message"

set +e
message=$("$B/run.sh" --quick --check-only --kernels winograd 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] || fail "an unknown --kernels name gave exit code $rc, expected 2"
grep -q "no convolution kernel 'winograd'; it can run: all, direct" <<<"$message" ||
    fail "an unknown --kernels name's message does not say what the device can run: $message"

cd "$B"
./run.sh --quick --kernels all --json "$WORK/results.json"
"$PYTHON" - "$WORK/results.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["passed"] and r["exit_code"] == 0, "the check did not pass"
assert r["check"] and all(c["pass"] for c in r["check"]), "a check case failed"
assert all(b["median_ms"] > 0 and b["gflop"] > 0 and b["width"] == 128 for b in r["bench"]), r["bench"]
# One Steady row (one size at --quick): the first model at steady 1, its dispatches timed.
steady = [b for b in r["bench"] if b["steady"] > 0]
assert [(b["model"], b["steady"]) for b in steady] == [("default-light.stylepack", 1.0)], steady
assert not steady[0]["gpu_ms_by_class"] or steady[0]["gpu_ms_by_class"].get("steady", 0) > 0, steady
r["bench"] = [b for b in r["bench"] if b["steady"] == 0]
models = {b["model"] for b in r["bench"]}
assert models == {"default-light.stylepack", "default.stylepack", "transformer_net.onnx"}, models
# --kernels all: every kernel the device can run, half-math ones in fp16 rows only.
kernels = r["device"]["conv_kernels"].split(",")
want = {(p, k) for k in kernels for p in ("fp32", "fp16") if p == "fp16" or not k.endswith("-f16")}
for m in models:
    got = {(b["precision"], b["conv_kernel"]) for b in r["bench"] if b["model"] == m}
    assert got == want, (m, sorted(got), sorted(want))
print(f"gpu_bundle: {len(r['check'])} check cases and {len(r['bench'])} bench rows on {r['device']['name']}")
EOF
