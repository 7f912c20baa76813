#!/bin/bash
# render --network-every 1/2/3 (and --network-side 270), 48 frames of 1080p, the demo look; other jobs paused (/tmp/quiet.sh)
cd "$(dirname "$0")/../.."
CLIP=${CLIP:-/tmp/bbb1080.mp4}
[ -f "$CLIP" ] || .venv/bin/python -c "
from filmstyle.core import video
video.transcode('/work/shared/data/videos/bigbuckbunny.mp4', '$CLIP', lambda f: f, size=(1920, 1080), max_frames=48)"
for round in 1 2; do
  for side in 360 270; do
    for n in 1 2 3; do
      echo "== side $side every $n (round $round)"
      .venv/bin/python -m filmstyle -q render "$CLIP" -l filmstyle/assets/demo.look -o /tmp/ne.mp4 -y \
        --max-frames 48 --network-side $side --network-every $n | grep -o "model.*"
    done
  done
done
