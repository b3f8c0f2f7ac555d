#!/usr/bin/env bash
# Rebuilds the bundled sample media from freely licensed photos in Debian's
# python3-skimage package (licences in resources/samples/SOURCES.md):
#   resources/samples/coffee.jpg   the still image
#   resources/samples/sample.mp4   a 12 s slow pan-and-zoom across four photos (640x360, 30 fps)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/resources/samples"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-skimage >/dev/null 2>&1
dpkg -x python3-skimage_*.deb extracted
data=extracted/usr/lib/python3/dist-packages/skimage/data
mkdir -p "$out"
ffmpeg -v error -y -i "$data/coffee.png" -q:v 2 "$out/coffee.jpg"

# Each photo: scaled to cover 1280x720, then zoompan moves a 640x360 window slowly
# (3 s at 30 fps), alternating zoom-in and pan so the clip is never still.
inputs=() filters="" i=0
for photo in coffee.png chelsea.png astronaut.png rocket.jpg; do
    inputs+=(-loop 1 -framerate 30 -t 3 -i "$data/$photo")
    if [ "$photo" = astronaut.png ]; then  # keep the face in frame: zoom towards the top
        motion="z='min(1+0.004*on,1.35)':x='iw/2-(iw/zoom/2)':y='0'"
    elif [ $((i % 2)) -eq 0 ]; then
        motion="z='min(1+0.004*on,1.35)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
    else
        motion="z='1.25':x='(iw-iw/zoom)*on/90':y='(ih-ih/zoom)/2'"
    fi
    filters+="[$i:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,"
    filters+="zoompan=${motion}:d=1:s=640x360:fps=30,setsar=1[v$i];"
    i=$((i + 1))
done
filters+="[v0][v1][v2][v3]concat=n=4:v=1:a=0,format=yuv420p[v]"
ffmpeg -v error -y "${inputs[@]}" -filter_complex "$filters" -map "[v]" \
    -c:v libx264 -preset slow -crf 24 -movflags +faststart "$out/sample.mp4"
ls -l "$out"
