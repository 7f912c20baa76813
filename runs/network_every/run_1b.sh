#!/bin/sh
# N=1 again once run.sh is done: its first pass began before the planar full-size stage and the exact
# RGB decoding landed, so the clean comparison is ne1b (same code as ne2, ne3)
cd "$(dirname "$0")/../.."
while pgrep -f "network_every/run.sh" > /dev/null; do sleep 20; done
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --render "" --render-tag _ne1b > runs/network_every/dev_ne1b.txt 2>&1
