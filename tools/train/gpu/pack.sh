#!/usr/bin/env bash
# Prepares tools/train/gpu-bundle/ (git-ignored): everything tools/train/gpu/run.sh needs
# on a GPU machine that has PyTorch but nothing of ../shared and no network:
#   gpu-bundle/vgg19/vgg_normalised_conv3_1.pth   the VGG-19 loss network (never committed)
#   gpu-bundle/data/content/*.jpg                  content photos and clip frames, short side 512
#   gpu-bundle/data/styles/*                       the paintings styles.json names
#   gpu-bundle/eval/chicago.jpg, dog.png           the photos evaluate.py scores
#   gpu-bundle/bundle.txt                          when and from which commit
# The checkout travels with it (the checkpoints to resume are tracked), so the tree plus the
# bundle must stay under the device runner's 64 MiB: the script refuses (exit 1, bundle
# removed) when they would not.
#   bash tools/train/gpu/pack.sh [--size 512] [--shared ../shared] [--vgg PATH]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
train=$root/tools/train
bundle=$train/gpu-bundle
size=512
shared=$root/../shared
vgg=""
limit_mib=${STYLIZE_GPU_TRAIN_LIMIT_MIB:-62}
while [ $# -gt 0 ]; do
    case "$1" in
    --size) size=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    --vgg) vgg=$2; shift 2 ;;
    *) echo "pack.sh: unknown argument '$1' (takes --size N, --shared DIR, --vgg PATH)" >&2; exit 2 ;;
    esac
done
vgg=${vgg:-$shared/training/vgg19/vgg_normalised_conv3_1.pth}
py=/usr/bin/python3
for need in "$vgg" "$shared/fixtures/images/chicago.jpg" "$shared/fixtures/videos/VID_20191220_170832.mp4"; do
    if [ ! -f "$need" ]; then
        echo "pack.sh: $need is missing (the VGG file and the evaluation photos come from ../shared;" \
             "give --shared DIR or --vgg PATH)" >&2
        exit 1
    fi
done

rm -rf "$bundle"
mkdir -p "$bundle/vgg19" "$bundle/eval"
cp "$vgg" "$bundle/vgg19/vgg_normalised_conv3_1.pth"
# Content at the GPU crop size; the .debs and their trees stay in data/ (fetch_data.py's
# cache), so a machine that fetched once packs without downloading again.
"$py" "$train/fetch_data.py" --data "$bundle/data" --cache "$train/data" --size "$size" \
    --shared-styles "$shared/training/styles" 2>&1 | grep -v '^W: ' || true
cp "$shared/fixtures/images/chicago.jpg" "$bundle/eval/chicago.jpg"
ffmpeg -v error -y -ss 0.8 -i "$shared/fixtures/videos/VID_20191220_170832.mp4" -frames:v 1 "$bundle/eval/dog.png"
n_content=$(ls "$bundle/data/content" | wc -l)
if [ "$n_content" -lt 20 ]; then
    echo "pack.sh: only $n_content content images in $bundle/data/content; fetch_data.py failed?" >&2
    rm -rf "$bundle"
    exit 1
fi
{
    echo "packed $(date -u +%Y-%m-%dT%H:%MZ) from commit $(git -C "$root" rev-parse --short HEAD)"
    echo "content: $n_content images, short side $size; paintings: $(ls "$bundle/data/styles" | wc -l)"
} >"$bundle/bundle.txt"

# What travels: tracked files, untracked files git does not ignore, and the bundle.
tree_bytes=$(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r du -cb 2>/dev/null | tail -1 | cut -f1)
bundle_bytes=$(du -sb "$bundle" | cut -f1)
total_mib=$(( (tree_bytes + bundle_bytes) / 1048576 ))
echo "pack.sh: $bundle: $(( bundle_bytes / 1048576 )) MiB ($n_content content images); with the tree $total_mib MiB (limit $limit_mib)"
if [ "$total_mib" -gt "$limit_mib" ]; then
    echo "pack.sh: tree + bundle is $total_mib MiB, over $limit_mib MiB: pack with a smaller --size" >&2
    rm -rf "$bundle"
    exit 1
fi
