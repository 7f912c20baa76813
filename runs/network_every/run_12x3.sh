#!/bin/sh
# a smaller network, 12x3k3d12-6 (runs/meta_r3, 250 Reptile iterations), at the render defaults
# on the 6 development pairs of dev_lean3_dl2.txt (the same stills and clips), `--tag _12x3` looks
cd "$(dirname "$0")/../.."
.venv/bin/python benchmarks/look_default.py -o runs/look_default --tones grade \
  --stills film_stills/sintel_f0043.png paintings/starry_night.jpg \
  --adapt "--init runs/meta_r3/init_12x3k3d12-6.look" --tag _12x3 \
  --render "" --render-tag _12x3dl2 > runs/network_every/dev_12x3_dl2.txt 2>&1
