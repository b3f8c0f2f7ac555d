#!/usr/bin/env bash
# End-to-end export frames/s for a 640x480 clip against the network alone at the same
# size (stylize-cli bench), same model: what decode + upload/convert + download + encode
# cost on top of the stylizer. Goal: overhead under 10% of the frame time.
#
#   tools/bench/export_overhead.sh [BUILD_DIR] [MODEL] [SECONDS]
# Defaults: build/, the tiny committed test model, a 10 s clip. For a realistic ratio
# use a real model, e.g. ../shared/fixtures/models/engstrom-ml5/wave (slow on lavapipe:
# give it SECONDS=2). Runs each measurement RUNS (default 3) times; reports medians.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${1:-$ROOT/build}"
MODEL="${2:-$ROOT/tests/data/model/transformer_small.onnx}"
SECONDS_OF_VIDEO="${3:-10}"
CLI="$BUILD/app/stylize-cli"
[ -x "$CLI" ] || { echo "No $CLI: build first (tools/setup.sh)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
CLIP="$WORK/in.mp4"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=640x480:rate=30" \
  -f lavfi -i "sine=sample_rate=48000" -t "$SECONDS_OF_VIDEO" -c:v libx264 -pix_fmt yuv420p -c:a aac "$CLIP"
FRAMES=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$CLIP")

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

net_ms=()
export_fps=()
for run in $(seq 1 "${RUNS:-3}"); do
  # The network alone: median warm ms/frame at 640x480, input and output in RGBA.
  ms=$("$CLI" bench --model "$MODEL" --size 640x480 --runs 10 --json | sed -n 's/.*"median_ms": \([0-9.]*\).*/\1/p')
  net_ms+=("$ms")
  # End to end: decode, upload as YUV, network at 640x480, YUV out, x264 encode, mux with audio.
  start=$(date +%s.%N)
  "$CLI" export "$CLIP" "$WORK/out.mp4" --model "$MODEL" --processing 640x480 --preset veryfast > "$WORK/log" 2>&1
  end=$(date +%s.%N)
  # The first frame builds the plan (as bench's untimed first run does): take it off.
  first_ms=$("$CLI" bench --model "$MODEL" --size 640x480 --runs 1 --json | sed -n 's/.*"first_ms": \([0-9.]*\).*/\1/p')
  fps=$(awk -v f="$FRAMES" -v s="$start" -v e="$end" -v w="$first_ms" 'BEGIN {printf "%.3f", f / (e - s - w / 1000)}')
  export_fps+=("$fps")
  echo "run $run: network ${ms} ms/frame ($(awk -v m="$ms" 'BEGIN {printf "%.2f", 1000 / m}') fps), export ${fps} fps over $FRAMES frames" >&2
done

NET=$(printf '%s\n' "${net_ms[@]}" | median)
EXP=$(printf '%s\n' "${export_fps[@]}" | median)
awk -v net="$NET" -v e2e="$EXP" -v model="$MODEL" 'BEGIN {
  net_fps = 1000 / net; frame_ms = 1000 / e2e; overhead = (frame_ms - net) / frame_ms * 100;
  printf "model %s, 640x480\n", model;
  printf "network alone:  %.2f ms/frame = %.2f fps\n", net, net_fps;
  printf "export (e2e):   %.2f ms/frame = %.2f fps\n", frame_ms, exp;
  printf "overhead:       %.1f%% of the export frame time (goal < 10%%)\n", overhead;
}'
