#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs the missing Debian packages
# listed in tools/debian-packages.txt, builds, and then runs the main job or the tests.
#   bash tools/setup.sh run     # set up, build, run the app (or, without a display, the CLI)
#   bash tools/setup.sh test    # set up, build (warnings as errors), run every test
#   bash tools/setup.sh build   # set up and build only
# Environment: BUILD_DIR (default build), STYLIZE_SANITIZE=ON for an ASan/UBSan build
# (library leaks suppressed in tools/lsan.supp),
# STYLIZE_SANITIZE=thread for a ThreadSanitizer build (default folder build-tsan) whose
# `test` runs the suites with threads (labels video: pipeline and FFmpeg, studio: the
# app) and fails on any report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-run}
sanitize=$(echo "${STYLIZE_SANITIZE:-OFF}" | tr '[:upper:]' '[:lower:]')
if [ "$sanitize" = thread ]; then
    build=${BUILD_DIR:-$root/build-tsan}
else
    build=${BUILD_DIR:-$root/build}
fi

install_packages() {
    local wanted missing=()
    wanted=$(grep -v '^\s*#' "$root/tools/debian-packages.txt" | tr -s ' \n' ' ')
    for p in $wanted; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "setup: all $(echo $wanted | wc -w) Debian packages present"
        return
    fi
    echo "setup: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure_and_build() {
    local werror=OFF
    [ "$mode" = test ] && werror=ON
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSTYLIZE_WERROR=$werror -DSTYLIZE_SANITIZE="${STYLIZE_SANITIZE:-OFF}" >/dev/null
    cmake --build "$build" -j "$(nproc)"
}

run_main_job() {
    # With a display: the desktop app, as a user starts it.
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        echo "setup: starting the desktop app ($build/ui/stylize)"
        exec "$build/ui/stylize"
    fi
    # Headless: the CLI on the bundled photo and clip with the bundled styles (stylize-cli
    # picks the pack for the device); without a pack, a pretrained model from ../shared.
    local out="$root/out" model=()
    if ! ls "$root"/resources/styles/default*.stylepack >/dev/null 2>&1; then
        model=(--model "$root/../shared/fixtures/models/engstrom-ml5/wave")
        if [ ! -e "${model[1]}" ]; then
            echo "setup: no style model found (no resources/styles/default*.stylepack, no ../shared/fixtures)" >&2
            exit 1
        fi
    fi
    mkdir -p "$out"
    "$build/app/stylize-cli" devices
    [ ${#model[@]} -eq 0 ] && "$build/app/stylize-cli" styles
    "$build/app/stylize-cli" image "$root/resources/samples/coffee.jpg" "$out/coffee-stylized.png" "${model[@]}"
    "$build/app/stylize-cli" image "$root/resources/samples/coffee.jpg" "$out/coffee-soft.png" \
        "${model[@]}" --strength 0.7 --preserve-colours
    # The network paints the clip at 256x144 (a big brush, and minutes instead of many
    # on a CPU-only Vulkan driver); the video keeps its own 640x360.
    "$build/app/stylize-cli" export "$root/resources/samples/sample.mp4" "$out/sample-stylized.mp4" \
        "${model[@]}" --processing 256x144
    echo "setup: stylized images and video are in $out"
}

case "$mode" in
run | test | build) ;;
*) echo "usage: bash tools/setup.sh [run|test|build]" >&2; exit 2 ;;
esac
install_packages
configure_and_build
case "$mode" in
run) run_main_job ;;
test)
    # XDG_RUNTIME_DIR silences harmless loader/Qt warnings on headless machines.
    export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
    export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
    if [ "$sanitize" = thread ]; then
        # exitcode: a report fails its test; die_after_fork=0: QProcess forks and execs from a
        # threaded test (the child execs ffmpeg at once); ignore_noninstrumented_modules: the
        # allocations and copies Qt's and glib's own threads make inside those libraries
        # (uninstrumented, their futexes unseen: tools/tsan.supp says more); suppressions:
        # libraries' own frames.
        export TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1 die_after_fork=0 ignore_noninstrumented_modules=1 suppressions=$root/tools/tsan.supp ${TSAN_OPTIONS:-}"
        # -LE qt_window: tests whose threads meet in Qt's event queue, invisible to TSan in
        # Debian's uninstrumented Qt (tests/studio/CMakeLists.txt); controller_threads_test
        # drives the same controller threads without it.
        ctest --test-dir "$build" --output-on-failure -j 2 --timeout 2400 -L 'video|studio' -LE qt_window
    else
        # An ASan build (STYLIZE_SANITIZE=ON): a library's own leaks are suppressed, each
        # explained in tools/lsan.supp; every other report fails its test.
        [ "$sanitize" = off ] || export LSAN_OPTIONS="suppressions=$root/tools/lsan.supp ${LSAN_OPTIONS:-}"
        ctest --test-dir "$build" --output-on-failure -j 2 --timeout 1200
    fi
    ;;
esac
