#!/bin/bash
# Runs the bundle's stylize-gpu-check (docs/gpu-check.md) from wherever it was unpacked:
# the device list, the kernel check, then the bench of the three bundled models at the
# default sizes. Extra arguments go to stylize-gpu-check, e.g.
#   ./run.sh --peak-tflops 67 --json results.json
#   ./run.sh --quick                       (smallest shapes, 128x72 with 2 runs)
#   ./run.sh --sizes 256x144 --runs 2
# No device found? Point the loader at the driver's ICD file, e.g. for NVIDIA:
#   VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ./run.sh
# (run.sh sets that itself when the standard ICD folders have no NVIDIA entry and that file exists).
# Exit code: stylize-gpu-check's (0 passed, 1 a check failed, 2 an error).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json

# Bundled libraries first; the loader only where the system has none, so that the
# system's loader (the one its driver was installed with) finds the GPU's ICD.
libs=$HERE/lib
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
system_loader=$("$ldconfig" -p 2>/dev/null | awk '$1 == "libvulkan.so.1" && /x86-64/ {print $NF; exit}')
if [ -n "$system_loader" ]; then
    echo "Vulkan loader: the system's, $system_loader"
else
    libs=$libs:$HERE/lib/vulkan
    echo "Vulkan loader: the bundled lib/vulkan/libvulkan.so.1 (ldconfig -p lists none)"
fi
export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

# The drivers the loader will see: the standard ICD folders, unless VK_DRIVER_FILES or
# VK_ICD_FILENAMES says otherwise.
if [ -n "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    echo "Vulkan drivers: VK_DRIVER_FILES=${VK_DRIVER_FILES:-} VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-}"
else
    icds=
    for f in /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json \
        "${HOME:-/nonexistent}"/.local/share/vulkan/icd.d/*.json; do
        [ -e "$f" ] && icds+="$f "
    done
    if [[ ! ${icds,,} =~ nvidia ]] && [ -f "$NVIDIA_ICD" ]; then
        export VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD
        echo "Vulkan drivers: $NVIDIA_ICD (not in the standard ICD folders: VK_DRIVER_FILES set to it)"
    else
        echo "Vulkan drivers (ICD files): ${icds:-none in /etc, /usr/share, /usr/local/share/vulkan/icd.d}"
    fi
fi

if command -v vulkaninfo >/dev/null; then
    echo "--- vulkaninfo --summary"
    timeout 120 vulkaninfo --summary 2>&1 | grep -v -e XDG_RUNTIME_DIR -e "'DISPLAY' environment variable"
    status=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] || echo "(vulkaninfo exited with $status)"
    echo "---"
else
    echo "(no vulkaninfo on this machine)"
fi
echo

"$HERE/bin/stylize-gpu-check" --check-model "$HERE/models/default-light.stylepack" \
    --model "$HERE/models/default-light.stylepack" \
    --model "$HERE/models/default.stylepack" \
    --model "$HERE/models/transformer_net.onnx" \
    "$@"
rc=$?
case $rc in
    0 | 1) ;;
    127) echo "run.sh: bin/stylize-gpu-check could not start (a library missing? see ldd with LD_LIBRARY_PATH=$libs)" ;;
    *) echo "run.sh: if no Vulkan device was found, try VK_DRIVER_FILES=$NVIDIA_ICD $0 $*" ;;
esac
echo "run.sh: exit code $rc"
exit $rc
