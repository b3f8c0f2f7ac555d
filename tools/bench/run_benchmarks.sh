#!/usr/bin/env bash
# One table comparing Stylize's engine (stylize-cli bench, fp32 and fp16), PyTorch CPU and
# ONNX Runtime CPU on the same TransformerNet model and frame sizes. Builds nothing.
#
# Usage: tools/bench/run_benchmarks.sh [--out FILE] [--no-reference]
# Environment (defaults in brackets):
#   BUILD_DIR   build tree holding app/stylize-cli [build]
#   CACHE_DIR   where onnxruntime-node is npm-installed, outside the repo [~/.cache/stylize-bench]
#   SIZES       frame sizes, WxH [256x256 640x480]
#   LAUNCHES    separate stylize-cli processes per row; their medians' median is reported [3]
#   RUNS        timed runs per launch/process [5]; RUNS_LARGE for ours above 256x256 [3]
#   THREADS     CPU threads for PyTorch and ONNX Runtime [2]
#   ORT_VERSION onnxruntime-node version to install [1.30.0]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="" reference=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) out=${2:?--out needs a file}; shift 2 ;;
    --no-reference) reference=0; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_benchmarks: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
BUILD_DIR=${BUILD_DIR:-build}
CACHE_DIR=${CACHE_DIR:-$HOME/.cache/stylize-bench}
SIZES=${SIZES:-256x256 640x480}
LAUNCHES=${LAUNCHES:-3} RUNS=${RUNS:-5} RUNS_LARGE=${RUNS_LARGE:-3} THREADS=${THREADS:-2}
ORT_VERSION=${ORT_VERSION:-1.30.0}
PY=/usr/bin/python3

die() { echo "run_benchmarks: $*" >&2; exit 1; }
cli=$BUILD_DIR/app/stylize-cli
[[ -x $cli ]] || die "$cli not found: build it (cmake -S . -B $BUILD_DIR -G Ninja && ninja -C $BUILD_DIR stylize-cli) or set BUILD_DIR"
[[ -x $PY ]] && $PY -c 'import torch' 2>/dev/null || die "$PY with torch not found: apt-get install python3-torch"
command -v node >/dev/null || die "node not found: apt-get install nodejs npm"
command -v npm >/dev/null || die "npm not found: apt-get install npm"

# onnxruntime-node, installed outside the repo. --ignore-scripts: its install script downloads
# extra (GPU) binaries and fails offline; the CPU binding for linux x64 ships in the package.
if ! NODE_PATH=$CACHE_DIR/node_modules node -e "require('onnxruntime-node')" 2>/dev/null; then
  echo "installing onnxruntime-node@$ORT_VERSION into $CACHE_DIR" >&2
  mkdir -p "$CACHE_DIR"
  npm install --ignore-scripts --no-audit --no-fund --prefix "$CACHE_DIR" "onnxruntime-node@$ORT_VERSION" >&2 ||
    die "npm install onnxruntime-node failed (is the npm registry reachable?)"
  NODE_PATH=$CACHE_DIR/node_modules node -e "require('onnxruntime-node')" ||
    die "onnxruntime-node installed but its native binding does not load (see $CACHE_DIR/node_modules/onnxruntime-node/bin)"
fi
export NODE_PATH=$CACHE_DIR/node_modules

work=$(mktemp -d "${TMPDIR:-/tmp}/stylize-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
model=$work/transformer_net.onnx
echo "exporting TransformerNet (32/64/128, 5 residual blocks, random weights, seed 1) to $model" >&2
$PY "$repo/tools/models/export_transformer_net.py" "$model" --dynamic 2>"$work/export.log" ||
  { cat "$work/export.log" >&2; die "model export failed"; }

# A private copy of the binary: the build tree may be rebuilt while this runs, and every
# launch should time the same build.
cp "$cli" "$work/stylize-cli" && cli=$work/stylize-cli
results=$work/results.jsonl
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
# Ours: LAUNCHES separate processes, interleaved over sizes and precisions so that a burst of
# load on the machine does not land on one row only.
for launch in $(seq "$LAUNCHES"); do
  for size in $SIZES; do
    w=${size%x*} h=${size#*x}
    runs=$RUNS; (( w * h > 256 * 256 )) && runs=$RUNS_LARGE
    for precision in fp32 fp16; do
      echo "ours $precision $size, launch $launch/$LAUNCHES ($runs runs)" >&2
      line=$("$cli" bench --model "$model" --size "$size" --runs "$runs" --precision "$precision" --json) ||
        die "stylize-cli bench failed ($precision $size)"
      echo "{\"row\": \"ours\", \"launch\": $launch, \"result\": $line}" >>"$results"
    done
  done
done
"$cli" devices >"$work/devices.txt" 2>&1 || true
# GFLOP per frame from our JSON, so every row divides the same count.
gflop_of() { $PY -c 'import json,sys; print(next(json.loads(l)["result"]["gflop"] for l in open(sys.argv[1]) if json.loads(l)["result"]["width"]==int(sys.argv[2]) and json.loads(l)["result"]["height"]==int(sys.argv[3])))' "$results" "$1" "$2"; }
for size in $SIZES; do
  g=$(gflop_of "${size%x*}" "${size#*x}")
  echo "pytorch $size" >&2
  line=$($PY "$here/torch_bench.py" --size "$size" --runs "$RUNS" --threads "$THREADS" --gflop "$g") || die "torch_bench.py failed ($size)"
  echo "{\"row\": \"torch\", \"result\": $line}" >>"$results"
  echo "onnxruntime $size" >&2
  line=$(node "$here/ort_bench.mjs" --model "$model" --size "$size" --runs "$RUNS" --threads "$THREADS" --gflop "$g") || die "ort_bench.mjs failed ($size)"
  echo "{\"row\": \"ort\", \"result\": $line}" >>"$results"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(( $(date +%s) - started ))

table=$work/table.md
$PY - "$results" "$work/devices.txt" "$reference" "$load_before" "$load_after" "$elapsed" "$THREADS" >"$table" <<'PYEOF'
import json, statistics, sys
results, devices, reference, load_before, load_after, elapsed, threads = sys.argv[1:]
rows = [json.loads(l) for l in open(results)]
sizes = list(dict.fromkeys((r["result"]["width"], r["result"]["height"]) for r in rows))
gflop = {s: next(r["result"]["gflop"] for r in rows if r["row"] == "ours" and (r["result"]["width"], r["result"]["height"]) == s) for s in sizes}
table = []  # (engine, precision, size, ms, note)
ours_fp32 = {}
for s in sizes:
    for prec in ("fp32", "fp16"):
        runs = [r["result"] for r in rows if r["row"] == "ours" and r["result"]["precision"] == prec
                and (r["result"]["width"], r["result"]["height"]) == s]
        if not runs:
            continue
        ms = statistics.median(r["median_ms"] for r in runs)
        if prec == "fp32":
            ours_fp32[s] = ms
        note = "launch medians " + ", ".join("%.0f" % r["median_ms"] for r in runs) + " ms; %d runs each" % runs[0]["runs"]
        table.append(("Stylize Vulkan on %s (this run)" % runs[0]["device"], prec, s, ms, note))
    for key, name in (("torch", "PyTorch %s CPU, %s threads (this run)"), ("ort", "ONNX Runtime %s CPU (onnxruntime-node), %s threads (this run)")):
        for r in rows:
            r = r if r["row"] == key else None
            if r and (r["result"]["width"], r["result"]["height"]) == s:
                res = r["result"]
                table.append((name % (res["version"], res["threads"]), res["precision"], s, res["median_ms"],
                              "median of %d runs after warm-up (min %.0f ms)" % (res["runs"], res["min_ms"])))
if reference == "1":
    earlier = [("ncnn Vulkan on lavapipe (earlier measurement)", "fp32", {(256, 256): 2123, (640, 480): 9540}),
               ("ncnn Vulkan on lavapipe (earlier measurement)", "fp16", {(256, 256): 1378, (640, 480): 6464}),
               ("ncnn CPU (earlier measurement)", "default", {(256, 256): 103, (640, 480): 509}),
               ("ONNX Runtime CPU (earlier measurement, as reported)", "fp32", {(256, 256): 92, (640, 480): 417}),
               ("PyTorch CPU (earlier measurement, as reported)", "fp32", {(256, 256): 200, (640, 480): 2031})]
    for s in sizes:
        for name, prec, ms in earlier:
            if s in ms:
                table.append((name, prec, s, ms[s], "reference, measured separately; not re-run"))
print("| engine | precision | size | median ms/frame | GFLOP/s | ratio vs ours-fp32 | notes |")
print("|---|---|---|---:|---:|---:|---|")
for name, prec, s, ms, note in table:
    ratio = ours_fp32[s] / ms if s in ours_fp32 else float("nan")
    print("| %s | %s | %dx%d | %.0f | %.2f | %.2fx | %s |" % (name, prec, s[0], s[1], ms, gflop[s] / (ms * 1e-3), ratio, note))
print()
print("GFLOP per frame (from stylize-cli's count, used for every row): " +
      ", ".join("%dx%d %.2f" % (s[0], s[1], gflop[s]) for s in sizes) +
      ". ratio = ours-fp32 ms / row ms at the same size (above 1: faster than ours fp32).")
print("Load average before/after: %s / %s; %s s in all; device: %s." % (
    load_before, load_after, elapsed, open(devices).read().strip().replace("\n", "; ")))
PYEOF
cat "$table"
if [[ -n $out ]]; then cp "$table" "$out"; echo "table written to $out" >&2; fi
